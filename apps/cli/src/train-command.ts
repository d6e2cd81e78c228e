/**
 * `modular train`: composes a dataset, a model, a training method and a
 * backend from the validated flags, hands them to the runner of
 * `@modular/nn`, and draws its events. The training itself happens in the
 * libraries. Every run writes into its run directory (see `run-dir.ts`),
 * and an aborted `signal` (Ctrl-C) stops it after the step in progress.
 */
import { augmented, type Dataset, normalizeSplit, pairLabelled, sampleShots, type ShotSubset } from "@modular/datasets";
import { join } from "node:path";
import {
  ConfigError,
  type Model,
  type Module,
  split,
  splitBeforeOutput,
  splitEveryBlock,
  train,
  TrainingInterruptedError,
  type TrainResult,
} from "@modular/nn";
import { setBackend } from "@modular/tensor";
import type { Command } from "commander";
import { flagsWithConfig } from "./command-helpers.js";
import { flagsOf, mergeConfig, typedKeys } from "./config-file.js";
import { RunInterruptedError, UsageError } from "./errors.js";
import { checkMethodOptionsObject, parseMethodOptionFlags } from "./method-options.js";
import type { TrainConfig, TrainFlags } from "./options.js";
import { HumanReporter } from "./report/human.js";
import { JsonReporter } from "./report/json.js";
import type { OutputStream, Reporter, RunDescription, RunLabels } from "./report/reporter.js";
import { absolute, CHECKPOINT_FOLDER, CONFIG_FILE, createRunDir, defaultRunDir, MetricsLog, readRunConfig } from "./run-dir.js";

/** Flags that `--resume` may be combined with, because they change only the output. */
const RESUME_FLAGS = ["resume", "json", "logEvery"];

/**
 * Returns the `train` flags and method options of `command`: the flags typed
 * on the command line over those of `--config`, or, with `--resume`, over
 * the resumed run's `config.json`. Throws `UsageError` for `--resume` with
 * flags that would change the run.
 */
export async function resolveTrainFlags(command: Command): Promise<{ flags: TrainFlags; methodOptions: Record<string, unknown> }> {
  const typed = command.opts() as TrainFlags;
  const merge = { extraKeys: ["methodOptions"], repeatableKeys: ["methodOption"] };
  let merged: { flags: TrainFlags; extras: Record<string, unknown> };
  let source: string;
  if (typed.resume !== undefined) {
    const extra = typedKeys(command).filter((key) => !RESUME_FLAGS.includes(key));
    if (extra.length > 0) {
      throw new UsageError(
        `--resume continues with the config.json saved in ${typed.resume}, so it cannot be combined with ` +
          `${flagsOf(command, extra).join(", ")}. Only --json and --log-every may be added.`,
      );
    }
    source = join(typed.resume, CONFIG_FILE);
    merged = mergeConfig<TrainFlags>(command, await readRunConfig(typed.resume), source, merge);
  } else {
    const withConfig = await flagsWithConfig<TrainFlags>(command, merge);
    source = withConfig.configPath ?? "";
    merged = withConfig;
  }
  const fromFile = merged.extras.methodOptions;
  const fileOptions = fromFile === undefined || fromFile === null ? {} : checkMethodOptionsObject(fromFile, source);
  const methodOptions = { ...fileOptions, ...parseMethodOptionFlags(merged.flags.methodOption ?? []) };
  return { flags: merged.flags, methodOptions };
}

/** Output stream, environment, stop signal and reporter of a run. */
export interface TrainIO {
  readonly stdout: OutputStream;
  /** Environment, for `MODULAR_RUNS_DIR`. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C: the run stops after its current step and saves a checkpoint. */
  readonly signal?: AbortSignal;
  /** Builds the reporter of the run instead of the human or `--json` one (`modular compare` uses this). */
  readonly reporter?: (run: RunDescription, startedMs: number) => Reporter;
}

/** Result of `runTrain`: the runner's result and the run directory. */
export interface TrainOutcome {
  readonly result: TrainResult;
  readonly runDir: string;
}

/**
 * The augmentation of `--augment`: shifts of up to 4 pixels (zero padding,
 * then a random crop) and left-right flips, as in the CIFAR training of He
 * et al. 2016 ("Deep residual learning for image recognition").
 */
const AUGMENTATION = { cropPadding: 4, horizontalFlip: true } as const;

/**
 * Returns the first `limit` samples of `dataset`, or all of them when `limit`
 * is undefined. `split` names the dataset split in the error message, e.g.
 * "the mnist training split".
 */
export function firstSamples(dataset: Dataset, limit: number | undefined, flag: string, split: string): Dataset {
  if (limit === undefined) return dataset;
  if (limit > dataset.size) {
    throw new UsageError(
      `Invalid value "${limit}" for ${flag}: ${split} has only ${dataset.size} samples. ` +
        `Expected an integer from 1 to ${dataset.size}.`,
    );
  }
  return dataset.slice(0, limit);
}

/** Draws `shots` labelled examples per class of `dataset` with `seed`, or throws `UsageError` if a class has fewer. */
function drawShots(dataset: Dataset, shots: number, seed: number): ShotSubset {
  const counts = dataset.classCounts();
  const fewest = Math.min(...counts);
  if (shots > fewest) {
    throw new UsageError(
      `Invalid value "${shots}" for --shots: class ${counts.indexOf(fewest)} has only ${fewest} training samples. ` +
        `Expected an integer from 1 to ${fewest}.`,
    );
  }
  return sampleShots(dataset, shots, seed);
}

function runLabels(shots: ShotSubset | undefined): RunLabels {
  if (shots === undefined) return { kind: "full" };
  const perClass = shots.dataset.size / shots.dataset.classes;
  return { kind: "pairwise", shots: perClass, indices: Array.from(shots.indices) };
}

/**
 * Runs `modular train` with `config`, writing progress to `io.stdout` and
 * the run's files to its run directory. Throws what the libraries throw, and
 * `RunInterruptedError` when `io.signal` stopped the run.
 */
export async function runTrain(config: TrainConfig, io: TrainIO): Promise<TrainOutcome> {
  const startedMs = performance.now();
  const runDir = config.resume ?? config.runDir ?? (await defaultRunDir(config.method.name, io.env));
  if (config.resume === undefined) await createRunDir(runDir, config.resolved);
  const checkpointDir = config.checkpointDir ?? join(runDir, CHECKPOINT_FOLDER);
  await setBackend(config.backend);

  const loaded = await config.dataset.load(config.location);
  const name = config.dataset.name;
  const limited = {
    train: firstSamples(loaded.train, config.limitTrain, "--limit-train", `the ${name} training split`),
    test: firstSamples(loaded.test, config.limitTest, "--limit-test", `the ${name} test split`),
  };
  // Statistics come from the training samples the run uses, after --limit-train.
  const data = config.normalize ? normalizeSplit(limited) : limited;
  const trainSet = data.train;
  const testSet = data.test;
  const labelledSource = config.augment ? augmented(trainSet, AUGMENTATION) : trainSet;
  // With pair labels, the hidden phases read a source whose batches carry no class ids, and the
  // output layer fits on a seeded k-shot subset of the (unaugmented) training split.
  const shots = config.labels.kind === "pairwise" ? drawShots(trainSet, config.labels.shots, config.seed) : undefined;
  const trainSource = shots === undefined ? labelledSource : pairLabelled(labelledSource);

  const modelOptions = { hidden: config.hidden, width: config.width, sampleShape: trainSet.sampleShape, classes: trainSet.classes };
  const model = config.model.build(modelOptions, config.seed);
  const modules = splitModel(model, config);
  const method = config.resolvedMethod.method;

  const run: RunDescription = {
    method: method.name,
    model: config.model.name,
    modelSummary: config.model.summary(modelOptions),
    hidden: config.hidden ?? null,
    dataset: config.dataset.name,
    epochs: config.epochs,
    batchSize: config.batchSize,
    optimizer: config.optimizer,
    seed: config.seed,
    logEvery: config.logEvery,
    schedule: config.schedule?.summary ?? "constant",
    weightDecay: config.optimizer.weightDecay ?? 0,
    maxGradNorm: config.maxGradNorm,
    normalize: config.normalize,
    augment: config.augment,
    labels: runLabels(shots),
    checkpointDir,
    runDir,
    resumedFrom: config.resume,
  };
  const stdout = io.stdout;
  const display: Reporter =
    io.reporter?.(run, startedMs) ?? (config.json ? new JsonReporter(stdout, run) : new HumanReporter(stdout, run, startedMs));
  const metrics = new MetricsLog(runDir);
  const record = new JsonReporter({ write: (line: string) => metrics.append(JSON.parse(line) as object) }, run);

  try {
    const result = await train({
      modules,
      method,
      train: trainSource,
      ...(shots === undefined ? {} : { labelled: shots.dataset }),
      test: testSet,
      epochs: config.epochs,
      batchSize: config.batchSize,
      seed: config.seed,
      optimizer: config.optimizer,
      logEvery: config.logEvery,
      ...(config.schedule === undefined ? {} : { schedule: config.schedule.schedule }),
      ...(config.maxGradNorm === undefined ? {} : { maxGradNorm: config.maxGradNorm }),
      // Checkpoints in the run directory are on by default, so a method that cannot be checkpointed
      // (proxy/dgl-async trains in worker threads) trains without them, unless --checkpoint-dir requests them.
      checkpoint: { dir: checkpointDir, every: config.checkpointEvery, spec: model.spec, ifSupported: config.checkpointDir === undefined },
      ...(config.resume === undefined ? {} : { resumeFrom: checkpointDir }),
      ...(io.signal === undefined ? {} : { signal: io.signal }),
      onEvent: (event) => {
        record.onEvent(event);
        display.onEvent(event);
      },
    });
    return { result, runDir };
  } catch (error) {
    if (!(error instanceof TrainingInterruptedError)) throw error;
    throw new RunInterruptedError(error, absolute(runDir));
  } finally {
    display.close();
    model.dispose();
  }
}

/** Cut `model` into training modules at the `--split` boundaries, or at the method preset's. */
function splitModel(model: Model, config: TrainConfig): Module[] {
  const choice = config.split;
  if (choice === undefined) return config.method.split(model);
  if (choice.kind === "every-block") return splitEveryBlock(model);
  if (choice.kind === "before-output") return splitBeforeOutput(model);
  try {
    return split(model, choice.blocks);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new UsageError(`Invalid value "${choice.blocks.join(",")}" for --split: ${error.message}`);
  }
}
