/**
 * Validation of the `modular transfer` flags: Commander hands every value
 * over as a string, and `parseTransferFlags` turns them into a typed
 * `TransferConfig` or throws `UsageError` naming the flag, the value and
 * what is valid.
 */
import { UsageError } from "./errors.js";
import { MAX_SEED, parseBackend, parseData, parseInteger, parseLimit, parsePositiveNumber } from "./options.js";
import { type DataLocation, type DatasetEntry, DATASETS } from "./registry/datasets.js";
import { findEntry } from "./registry/entry.js";

/** The `transfer` flags as Commander parsed them. */
export interface TransferFlags {
  readonly body?: readonly string[];
  readonly dataset?: string;
  readonly dataDir?: string;
  readonly csvTrain?: string;
  readonly csvTest?: string;
  readonly csvLabel: string;
  readonly limitTrain?: string;
  readonly limitTest?: string;
  readonly normalize?: boolean;
  readonly batches: string;
  readonly batchSize: string;
  readonly seed: string;
  readonly fitEpochs?: string;
  readonly fitLr: string;
  readonly backend: string;
  readonly json?: boolean;
}

/** A validated `modular transfer` command line. */
export interface TransferConfig {
  /** Checkpoint folders, in the order given. */
  readonly bodies: readonly string[];
  readonly dataset: DatasetEntry;
  readonly location: DataLocation;
  /** Number of training samples to use, from the start of the split. Undefined means all of them. */
  readonly limitTrain: number | undefined;
  /** Number of test samples to use, from the start of the split. Undefined means all of them. */
  readonly limitTest: number | undefined;
  /** Normalise each channel with the target training split's mean and standard deviation. */
  readonly normalize: boolean;
  /** Batches the score averages over. */
  readonly batches: number;
  /** Samples per batch, for scoring and for fitting. */
  readonly batchSize: number;
  readonly seed: number;
  /** Epochs of output-layer fitting per body, or undefined to score only. */
  readonly fitEpochs: number | undefined;
  /** Adam learning rate of the output-layer fit. */
  readonly fitLr: number;
  readonly backend: string;
  readonly json: boolean;
}

/** Return `error`, or, for a `UsageError` of the shared train helpers, a copy that points to `modular transfer --help`. */
export function toTransferUsage(error: unknown): unknown {
  return error instanceof UsageError && error.command !== "transfer" ? new UsageError(error.message, "transfer") : error;
}

/** Run `parse`, rethrowing its errors through `toTransferUsage`. */
export function asTransferUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw toTransferUsage(error);
  }
}

/** Validates every `transfer` flag. Throws `UsageError` on the first invalid one, in the order of `--help`. */
export function parseTransferFlags(flags: TransferFlags): TransferConfig {
  return asTransferUsage(() => {
    const bodies = flags.body ?? [];
    if (bodies.length === 0) {
      throw new UsageError("transfer needs at least one --body: a checkpoint folder written by `modular train --checkpoint-dir`.", "transfer");
    }
    if (flags.dataset === undefined) {
      throw new UsageError("transfer needs --dataset: the target task to score the bodies on, e.g. fashion-mnist.", "transfer");
    }
    const dataset = findEntry(DATASETS, flags.dataset, "dataset");
    const location = parseData({ ...flags, augment: false }, dataset);
    const limitTrain = parseLimit("--limit-train", flags.limitTrain);
    const limitTest = parseLimit("--limit-test", flags.limitTest);

    const batches = parseInteger("--batches", flags.batches, 1);
    const batchSize = parseInteger("--batch-size", flags.batchSize, 2);
    const seed = parseInteger("--seed", flags.seed, 0, MAX_SEED);
    const fitEpochs = flags.fitEpochs === undefined ? undefined : parseInteger("--fit-epochs", flags.fitEpochs, 1);
    const fitLr = parsePositiveNumber("--fit-lr", flags.fitLr);
    const backend = parseBackend(flags.backend);
    return {
      bodies,
      dataset,
      location,
      limitTrain,
      limitTest,
      normalize: flags.normalize === true,
      batches,
      batchSize,
      seed,
      fitEpochs,
      fitLr,
      backend,
      json: flags.json === true,
    };
  });
}
