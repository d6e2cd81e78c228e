/**
 * `modular train`: composes a dataset, a model, a training method and a
 * backend from the validated flags, hands them to the runner of
 * `@modular/nn`, and draws its events. The training itself happens in the
 * libraries.
 */
import { augmented, type Dataset, normalizeSplit, pairLabelled, sampleShots, type ShotSubset } from "@modular/datasets";
import { ConfigError, type Model, type Module, split, splitBeforeOutput, splitEveryBlock, train } from "@modular/nn";
import { setBackend } from "@modular/tensor";
import { UsageError } from "./errors.js";
import type { TrainConfig } from "./options.js";
import { HumanReporter } from "./report/human.js";
import { JsonReporter } from "./report/json.js";
import type { OutputStream, Reporter, RunDescription, RunLabels } from "./report/reporter.js";

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

/** Runs `modular train` with `config`, writing progress to `stdout`. Throws what the libraries throw. */
export async function runTrain(config: TrainConfig, stdout: OutputStream): Promise<void> {
  const startedMs = performance.now();
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
  const method = config.method.create();

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
    checkpointDir: config.checkpoint?.dir,
    resumedFrom: config.resume,
  };
  const reporter: Reporter = config.json
    ? new JsonReporter(stdout, run)
    : new HumanReporter(stdout, run, startedMs);

  try {
    await train({
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
      ...(config.checkpoint === undefined ? {} : { checkpoint: { ...config.checkpoint, spec: model.spec } }),
      ...(config.resume === undefined ? {} : { resumeFrom: config.resume }),
      onEvent: (event) => reporter.onEvent(event),
    });
  } finally {
    reporter.close();
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
