/**
 * Validation of the `modular train` flags. Commander hands every value over
 * as the string the user typed. `parseTrainFlags` turns them into a typed
 * `TrainConfig`, or throws `UsageError` naming the flag, the value and what
 * is valid.
 */
import { constantLr, cosineLr, type LrSchedule, OPTIMIZER_KINDS, type OptimizerSpec, stepLr, withWarmup } from "@modular/nn";
import { listBackends } from "@modular/tensor";
import { UsageError } from "./errors.js";
import { type DataLocation, type DatasetEntry, DATASETS } from "./registry/datasets.js";
import { findEntry } from "./registry/entry.js";
import { createMethod, type MethodOptions, type ResolvedMethod } from "./method-options.js";
import { type MethodEntry, METHODS } from "./registry/methods.js";
import { type ModelEntry, MODELS } from "./registry/models.js";

/** The `train` flags as Commander parsed them: strings, booleans and undefined for flags left out. */
export interface TrainFlags {
  readonly method: string;
  readonly model: string;
  readonly hidden?: string;
  readonly width?: string;
  readonly split?: string;
  readonly dataset: string;
  readonly dataDir?: string;
  readonly epochs?: string;
  readonly batchSize: string;
  readonly lr: string;
  readonly optimizer: string;
  readonly seed: string;
  readonly backend: string;
  readonly json?: boolean;
  readonly logEvery: string;
  readonly limitTrain?: string;
  readonly limitTest?: string;
  readonly csvTrain?: string;
  readonly csvTest?: string;
  readonly csvLabel: string;
  readonly normalize?: boolean;
  readonly augment?: boolean;
  readonly labels: string;
  readonly shots?: string;
  readonly schedule: string;
  readonly warmup: string;
  readonly lrStep?: string;
  readonly lrGamma: string;
  readonly weightDecay: string;
  readonly momentum?: string;
  readonly maxGradNorm?: string;
  readonly checkpointDir?: string;
  readonly checkpointEvery: string;
  readonly resume?: string;
  readonly runDir?: string;
  readonly config?: string;
  /** `--method-option name=value`, once per flag. */
  readonly methodOption?: readonly string[];
}

/** A validated `modular train` command line. */
export interface TrainConfig {
  readonly method: MethodEntry;
  /** The method created with its options, and those options with the defaults filled in. */
  readonly resolvedMethod: ResolvedMethod;
  readonly model: ModelEntry;
  /** Hidden layer widths, each a positive integer. */
  readonly hidden: readonly number[] | undefined;
  /** Factor on the model's widths (`--width`), 1 unless given. */
  readonly width: number;
  /** Split of the model into training modules (`--split`), or undefined for the method's own split. */
  readonly split: SplitChoice | undefined;
  readonly dataset: DatasetEntry;
  readonly location: DataLocation;
  /** Normalise each channel with the training split's mean and standard deviation. */
  readonly normalize: boolean;
  /** Augment training images: random crop after zero padding, and horizontal flips. */
  readonly augment: boolean;
  /** Labels of the hidden modules' training data (`--labels`). */
  readonly labels: LabelChoice;
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
  /** Learning-rate schedule of every phase, or undefined for a constant rate. */
  readonly schedule: ScheduleChoice | undefined;
  /** Bound on the global gradient norm, or undefined for none. */
  readonly maxGradNorm: number | undefined;
  /** The `--checkpoint-dir` folder, or undefined for the run directory's `checkpoint` folder. */
  readonly checkpointDir: string | undefined;
  /** Epochs between checkpoints. */
  readonly checkpointEvery: number;
  /** Run directory to resume (`--resume`), or undefined. */
  readonly resume: string | undefined;
  /** The `--run-dir` folder, or undefined for a new folder under the runs folder. */
  readonly runDir: string | undefined;
  /**
   * Every setting of the run as a `--config` file spells it, defaults
   * included: what the run directory's `config.json` records.
   */
  readonly resolved: Readonly<Record<string, unknown>>;
}

/**
 * `--labels full`: every phase trains on class labels. `--labels pairwise`:
 * the hidden modules train on pair labels only, and the output layer on
 * `shots` labelled examples per class.
 */
export type LabelChoice = { readonly kind: "full" } | { readonly kind: "pairwise"; readonly shots: number };

export const LABEL_KINDS = ["full", "pairwise"] as const;

/** `--split`: a named rule, or the names of the blocks after which a training module ends. */
export type SplitChoice =
  | { readonly kind: "every-block" }
  | { readonly kind: "before-output" }
  | { readonly kind: "after"; readonly blocks: readonly string[] };

/** Parses `--split`. Block names are checked against the model when it is built. */
export function parseSplit(text: string): SplitChoice {
  const trimmed = text.trim();
  if (trimmed === "every-block" || trimmed === "before-output") return { kind: trimmed };
  const blocks = trimmed.split(",").map((name) => name.trim());
  if (blocks.some((name) => name === "")) {
    throw new UsageError(
      `Invalid value "${text}" for --split: an empty block name. Expected every-block, before-output, ` +
        "or comma-separated block names such as hidden1,hidden2.",
    );
  }
  return { kind: "after", blocks };
}

/** A learning-rate schedule and the flags that describe it, for the run header. */
export interface ScheduleChoice {
  readonly schedule: LrSchedule;
  /** The schedule in a few words, e.g. "cosine over 15 epochs after 2 warm-up epochs". */
  readonly summary: string;
}

export const SCHEDULE_NAMES = ["constant", "step", "cosine"] as const;

/** Largest `--seed`, because the shuffles of `@modular/datasets` take a 32-bit unsigned seed. */
export const MAX_SEED = 2 ** 32 - 1;

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

/** Parses a finite number flag of at least zero. */
export function parseNonNegativeNumber(flag: string, text: string): number {
  const expected = "a number >= 0";
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) throw invalid(flag, text, "not a number", expected);

  const value = Number(trimmed);
  if (!Number.isFinite(value) || value < 0) throw invalid(flag, text, "out of range", expected);
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

function parseOptimizer(kind: string, lr: number, weightDecay: number, momentumText: string | undefined): OptimizerSpec {
  if (momentumText !== undefined && kind !== "sgd") {
    throw new UsageError(`--momentum applies only to --optimizer sgd, not to --optimizer ${kind}.`);
  }
  if (kind === "adam") return { kind: "adam", lr, weightDecay };
  if (kind === "sgd") {
    const momentum = momentumText === undefined ? 0 : parseNonNegativeNumber("--momentum", momentumText);
    if (momentum >= 1) throw invalid("--momentum", momentumText!, "out of range", "a number >= 0 and < 1");
    return { kind: "sgd", lr, weightDecay, momentum };
  }
  const valid = [...OPTIMIZER_KINDS].sort().join(", ");
  throw new UsageError(`Unknown optimizer "${kind}". Valid optimizers: ${valid}.`);
}

export function parseBackend(name: string): string {
  const valid = listBackends();
  if (!valid.includes(name)) {
    throw new UsageError(`Unknown backend "${name}". Valid backends: ${[...valid].sort().join(", ")}.`);
  }
  return name;
}

export function parseLimit(flag: string, text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseInteger(flag, text, 1);
}

/** Return "1 epoch" or "n epochs". */
function epochCount(count: number): string {
  return count === 1 ? "1 epoch" : `${count} epochs`;
}

/**
 * Parses `--schedule` with `--warmup`, `--lr-step` and `--lr-gamma` into a
 * per-epoch schedule. A cosine schedule anneals over `epochs` (the
 * `--epochs` value), warm-up included.
 */
function parseSchedule(flags: TrainFlags, epochs: number): ScheduleChoice | undefined {
  const name = flags.schedule;
  if (!(SCHEDULE_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`Unknown schedule "${name}". Valid schedules: ${SCHEDULE_NAMES.join(", ")}.`);
  }
  const warmup = parseInteger("--warmup", flags.warmup, 0, epochs - 1);
  const gamma = parseNonNegativeNumber("--lr-gamma", flags.lrGamma);
  if (flags.lrStep !== undefined && name !== "step") {
    throw new UsageError(`--lr-step applies only to --schedule step, not to --schedule ${name}.`);
  }

  let schedule: LrSchedule | undefined;
  let summary: string;
  if (name === "constant") {
    summary = "constant";
  } else if (name === "step") {
    if (flags.lrStep === undefined) {
      throw new UsageError("--schedule step needs --lr-step: the epochs between decays of the learning rate by --lr-gamma.");
    }
    const stepSize = parseInteger("--lr-step", flags.lrStep, 1);
    schedule = stepLr({ stepSize, gamma });
    summary = `step ×${gamma} every ${epochCount(stepSize)}`;
  } else {
    schedule = cosineLr({ total: epochs - warmup });
    summary = `cosine over ${epochCount(epochs - warmup)}`;
  }
  if (warmup === 0) return schedule === undefined ? undefined : { schedule, summary };
  return {
    // Epoch k of the warm-up (from 1) trains at k / (warmup + 1) of the rate, so no epoch trains at rate 0.
    schedule: withWarmup(schedule ?? constantLr(), { warmup, startFactor: 1 / (warmup + 1) }),
    summary: `${summary} after ${warmup === 1 ? "1 warm-up epoch" : `${warmup} warm-up epochs`}`,
  };
}

/** Validates `--hidden` and `--width` against what `model` takes. */
function parseModelShape(flags: TrainFlags, model: ModelEntry): { hidden: number[] | undefined; width: number } {
  let hidden: number[] | undefined;
  if (flags.hidden !== undefined) {
    if (model.hidden === "none") {
      throw new UsageError(`--hidden does not apply to --model ${model.name}. Scale its widths with --width instead.`);
    }
    hidden = parseWidths("--hidden", flags.hidden);
    if (model.hidden === "one" && hidden.length !== 1) {
      throw new UsageError(
        `Invalid value "${flags.hidden}" for --hidden: --model ${model.name} has one hidden fully connected layer. ` +
          "Expected one width, e.g. 128.",
      );
    }
  }
  let width = 1;
  if (flags.width !== undefined) {
    if (!model.scalable) {
      const scalable = MODELS.filter((entry) => entry.scalable).map((entry) => entry.name);
      throw new UsageError(`--width does not apply to --model ${model.name}; it applies to ${scalable.join(", ")}.`);
    }
    width = parsePositiveNumber("--width", flags.width);
  }
  return { hidden, width };
}

/** Validates the data flags against the dataset: which location flags apply, and whether it has images to augment. */
export function parseData(
  flags: Pick<TrainFlags, "dataDir" | "csvTrain" | "csvTest" | "csvLabel" | "augment">,
  dataset: DatasetEntry,
): DataLocation {
  if (flags.dataDir !== undefined && dataset.reads !== "folder") {
    const readers = DATASETS.filter((entry) => entry.reads === "folder").map((entry) => entry.name);
    throw new UsageError(
      `--data-dir does not apply to --dataset ${dataset.name}, which is not read from a folder. ` +
        `Datasets read from --data-dir: ${readers.join(", ")}.`,
    );
  }
  for (const [flag, value] of [["--csv-train", flags.csvTrain], ["--csv-test", flags.csvTest]] as const) {
    if (value !== undefined && dataset.reads !== "csv") {
      throw new UsageError(`${flag} applies only to --dataset csv, not to --dataset ${dataset.name}.`);
    }
  }
  if (flags.augment === true && !dataset.images) {
    throw new UsageError(`--augment applies only to image datasets, and --dataset ${dataset.name} has feature vectors.`);
  }
  const label = flags.csvLabel.trim();
  const csvLabel = INTEGER.test(label) ? parseInteger("--csv-label", label, 0) : label;
  return {
    ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }),
    ...(flags.csvTrain === undefined ? {} : { csvTrain: flags.csvTrain }),
    ...(flags.csvTest === undefined ? {} : { csvTest: flags.csvTest }),
    csvLabel,
  };
}

/** Validates `--labels` and `--shots`. */
function parseLabels(flags: TrainFlags): LabelChoice {
  const kind = flags.labels;
  if (!(LABEL_KINDS as readonly string[]).includes(kind)) {
    throw new UsageError(`Unknown label kind "${kind}" for --labels. Valid kinds: ${LABEL_KINDS.join(", ")}.`);
  }
  if (kind === "full") {
    if (flags.shots !== undefined) {
      throw new UsageError("--shots applies only to --labels pairwise, because with --labels full every phase sees every label.");
    }
    return { kind: "full" };
  }
  return { kind: "pairwise", shots: flags.shots === undefined ? 1 : parseInteger("--shots", flags.shots, 1) };
}

/**
 * Validates every `train` flag and the method's options. Throws `UsageError`
 * on the first invalid one, in the order of `--help`.
 */
export function parseTrainFlags(flags: TrainFlags, methodOptions: MethodOptions = {}): TrainConfig {
  const method = findEntry(METHODS, flags.method, "method");
  const resolvedMethod = createMethod(method, methodOptions);
  const model = findEntry(MODELS, flags.model, "model");
  const { hidden, width } = parseModelShape(flags, model);
  const split = flags.split === undefined ? undefined : parseSplit(flags.split);

  const dataset = findEntry(DATASETS, flags.dataset, "dataset");
  const location = parseData(flags, dataset);
  const labels = parseLabels(flags);

  const epochs = flags.epochs === undefined ? model.defaultEpochs : parseInteger("--epochs", flags.epochs, 1);
  const batchSize = parseInteger("--batch-size", flags.batchSize, 1);
  const lr = parsePositiveNumber("--lr", flags.lr);
  const weightDecay = parseNonNegativeNumber("--weight-decay", flags.weightDecay);
  const optimizer = parseOptimizer(flags.optimizer, lr, weightDecay, flags.momentum);
  const schedule = parseSchedule(flags, epochs);
  const maxGradNorm = flags.maxGradNorm === undefined ? undefined : parsePositiveNumber("--max-grad-norm", flags.maxGradNorm);
  const seed = parseInteger("--seed", flags.seed, 0, MAX_SEED);
  const backend = parseBackend(flags.backend);
  const checkpointEvery = parseInteger("--checkpoint-every", flags.checkpointEvery, 1);
  const logEvery = parseInteger("--log-every", flags.logEvery, 1);
  const limitTrain = parseLimit("--limit-train", flags.limitTrain);
  const limitTest = parseLimit("--limit-test", flags.limitTest);

  const parsed = { method, model, hidden, width, split, dataset, labels, epochs, optimizer, maxGradNorm, checkpointEvery };
  return {
    method,
    resolvedMethod,
    model,
    hidden,
    width,
    split,
    dataset,
    location,
    normalize: flags.normalize === true,
    augment: flags.augment === true,
    labels,
    epochs,
    batchSize,
    optimizer,
    seed,
    backend,
    json: flags.json === true,
    logEvery,
    limitTrain,
    limitTest,
    schedule,
    maxGradNorm,
    checkpointDir: flags.checkpointDir,
    checkpointEvery,
    resume: flags.resume,
    runDir: flags.runDir,
    resolved: resolveTrainConfig(flags, parsed, resolvedMethod.options),
  };
}

/**
 * Returns every setting of a run as a `--config` file spells it, with the
 * defaults written out. A value that does not apply (`--shots` with full
 * labels) is null, which a config file reads as "left out". The run
 * directory, the resume folder and `--json` are left out, so that the file
 * repeats the run in a new directory with any output.
 */
function resolveTrainConfig(
  flags: TrainFlags,
  parsed: Pick<TrainConfig, "method" | "model" | "hidden" | "width" | "split" | "dataset" | "labels" | "epochs" | "optimizer" | "maxGradNorm" | "checkpointEvery">,
  methodOptions: MethodOptions,
): Record<string, unknown> {
  const { method, model, dataset, optimizer } = parsed;
  let split: string = method.splitName;
  if (parsed.split?.kind === "after") split = parsed.split.blocks.join(",");
  else if (parsed.split !== undefined) split = parsed.split.kind;
  return {
    method: method.name,
    methodOptions,
    model: model.name,
    hidden: model.hidden === "none" ? null : (parsed.hidden ?? model.defaultHidden ?? null),
    width: model.scalable ? parsed.width : null,
    split,
    dataset: dataset.name,
    dataDir: flags.dataDir ?? dataset.defaultDataDir ?? null,
    csvTrain: flags.csvTrain ?? null,
    csvTest: flags.csvTest ?? null,
    csvLabel: flags.csvLabel,
    limitTrain: flags.limitTrain === undefined ? null : Number(flags.limitTrain),
    limitTest: flags.limitTest === undefined ? null : Number(flags.limitTest),
    normalize: flags.normalize === true,
    augment: flags.augment === true,
    labels: parsed.labels.kind,
    shots: parsed.labels.kind === "pairwise" ? parsed.labels.shots : null,
    epochs: parsed.epochs,
    batchSize: Number(flags.batchSize),
    lr: optimizer.lr,
    optimizer: optimizer.kind,
    seed: Number(flags.seed),
    backend: flags.backend,
    schedule: flags.schedule,
    warmup: Number(flags.warmup),
    lrStep: flags.lrStep === undefined ? null : Number(flags.lrStep),
    lrGamma: Number(flags.lrGamma),
    weightDecay: optimizer.weightDecay ?? 0,
    momentum: optimizer.kind === "sgd" ? (optimizer.momentum ?? 0) : null,
    maxGradNorm: parsed.maxGradNorm ?? null,
    checkpointEvery: parsed.checkpointEvery,
    checkpointDir: flags.checkpointDir ?? null,
    logEvery: Number(flags.logEvery),
  };
}
