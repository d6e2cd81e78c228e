/**
 * Validation of the `modular train` flags. Commander hands every value over
 * as the string the user typed. `parseTrainFlags` turns them into a typed
 * `TrainConfig`, or throws `UsageError` naming the flag, the value and what
 * is valid.
 */
import { OPTIMIZER_KINDS, type OptimizerSpec } from "@modular/nn";
import { listBackends } from "@modular/tensor";
import { UsageError } from "./errors.js";
import { type DatasetEntry, DATASETS } from "./registry/datasets.js";
import { findEntry } from "./registry/entry.js";
import { type MethodEntry, METHODS } from "./registry/methods.js";
import { type ModelEntry, MODELS } from "./registry/models.js";

/** The `train` flags as Commander parsed them: strings, booleans and undefined for flags left out. */
export interface TrainFlags {
  readonly method: string;
  readonly model: string;
  readonly hidden: string;
  readonly dataset: string;
  readonly dataDir?: string;
  readonly epochs: string;
  readonly batchSize: string;
  readonly lr: string;
  readonly optimizer: string;
  readonly seed: string;
  readonly backend: string;
  readonly json?: boolean;
  readonly logEvery: string;
  readonly limitTrain?: string;
  readonly limitTest?: string;
}

/** A validated `modular train` command line. */
export interface TrainConfig {
  readonly method: MethodEntry;
  readonly model: ModelEntry;
  /** Hidden layer widths, each a positive integer. */
  readonly hidden: readonly number[];
  readonly dataset: DatasetEntry;
  readonly dataDir: string | undefined;
  /** Epochs of each training phase. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerSpec;
  readonly seed: number;
  readonly backend: string;
  readonly json: boolean;
  /** Steps between loss readbacks and progress updates. */
  readonly logEvery: number;
  /** Number of training samples to use, from the start of the split. Undefined means all of them. */
  readonly limitTrain: number | undefined;
  /** Number of test samples to use, from the start of the split. Undefined means all of them. */
  readonly limitTest: number | undefined;
}

/** Largest `--seed`, because the shuffles of `@modular/datasets` take a 32-bit unsigned seed. */
const MAX_SEED = 2 ** 32 - 1;

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function invalid(flag: string, text: string, reason: string, expected: string): UsageError {
  return new UsageError(`Invalid value "${text}" for ${flag}: ${reason}. Expected ${expected}.`);
}

/** Parses an integer flag in [min, max]. */
export function parseInteger(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) throw invalid(flag, text, "not a number", expected);
  if (!INTEGER.test(trimmed)) throw invalid(flag, text, "not an integer", expected);

  const value = Number(trimmed);
  if (value < min || value > max) throw invalid(flag, text, "out of range", expected);
  return value;
}

/** Parses a finite number flag greater than zero. */
export function parsePositiveNumber(flag: string, text: string): number {
  const expected = "a number > 0";
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) throw invalid(flag, text, "not a number", expected);

  const value = Number(trimmed);
  if (!Number.isFinite(value) || value <= 0) throw invalid(flag, text, "out of range", expected);
  return value;
}

/** Parses `--hidden`: comma-separated layer widths such as "256,128", at least one. */
export function parseWidths(flag: string, text: string): number[] {
  const parts = text.split(",").map((part) => part.trim());
  if (parts.length === 1 && parts[0] === "") {
    throw new UsageError(`Invalid value "${text}" for ${flag}: no widths. Expected comma-separated integers >= 1, e.g. 256,128.`);
  }
  return parts.map((part) => {
    try {
      return parseInteger(flag, part, 1);
    } catch {
      throw new UsageError(
        `Invalid value "${text}" for ${flag}: width "${part}" is not an integer >= 1. ` +
          "Expected comma-separated integers >= 1, e.g. 256,128.",
      );
    }
  });
}

function parseOptimizer(kind: string, lr: number): OptimizerSpec {
  if (kind === "adam") return { kind: "adam", lr };
  if (kind === "sgd") return { kind: "sgd", lr };
  const valid = [...OPTIMIZER_KINDS].sort().join(", ");
  throw new UsageError(`Unknown optimizer "${kind}". Valid optimizers: ${valid}.`);
}

function parseBackend(name: string): string {
  const valid = listBackends();
  if (!valid.includes(name)) {
    throw new UsageError(`Unknown backend "${name}". Valid backends: ${[...valid].sort().join(", ")}.`);
  }
  return name;
}

function parseLimit(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseInteger(flag, text, 1);
}

/** Validates every `train` flag. Throws `UsageError` on the first invalid one, in the order of `--help`. */
export function parseTrainFlags(flags: TrainFlags): TrainConfig {
  const method = findEntry(METHODS, flags.method, "method");
  const model = findEntry(MODELS, flags.model, "model");
  const hidden = parseWidths("--hidden", flags.hidden);

  const dataset = findEntry(DATASETS, flags.dataset, "dataset");
  if (flags.dataDir !== undefined && !dataset.readsDataDir) {
    const readers = DATASETS.filter((entry) => entry.readsDataDir).map((entry) => entry.name);
    throw new UsageError(
      `--data-dir does not apply to --dataset ${dataset.name}, which is not read from disk. ` +
        `Datasets read from --data-dir: ${readers.join(", ")}.`,
    );
  }

  const epochs = parseInteger("--epochs", flags.epochs, 1);
  const batchSize = parseInteger("--batch-size", flags.batchSize, 1);
  const lr = parsePositiveNumber("--lr", flags.lr);
  const optimizer = parseOptimizer(flags.optimizer, lr);
  const seed = parseInteger("--seed", flags.seed, 0, MAX_SEED);
  const backend = parseBackend(flags.backend);
  const logEvery = parseInteger("--log-every", flags.logEvery, 1);
  const limitTrain = parseLimit("--limit-train", flags.limitTrain);
  const limitTest = parseLimit("--limit-test", flags.limitTest);

  return {
    method,
    model,
    hidden,
    dataset,
    dataDir: flags.dataDir,
    epochs,
    batchSize,
    optimizer,
    seed,
    backend,
    json: flags.json === true,
    logEvery,
    limitTrain,
    limitTest,
  };
}
