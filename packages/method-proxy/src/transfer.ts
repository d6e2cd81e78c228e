/**
 * Transferability estimation with the kernel proxy loss (Duan, Yu and
 * Príncipe, "Modularizing deep learning via pairwise learning with kernels",
 * IEEE TNNLS 2021). A hidden module that separates the classes of a task
 * better, in the sense of a lower proxy loss on that task's data, builds a
 * better network once an output layer is fitted on it. So the proxy loss of
 * a trained body on batches of a new task estimates how well it transfers,
 * without training anything. `fitOutputLayer` measures the real outcome.
 */
import {
  type BatchSource,
  ConfigError,
  disposeBatch,
  Flatten,
  forwardThrough,
  Linear,
  type Module,
  type OptimizerSpec,
  pairLabels,
  Sequential,
  train,
  type TrainingEvent,
  type TrainingMethod,
} from "@modular/nn";
import { concat, keep, reshape, type Tensor, tidy, zeros } from "@modular/tensor";
import { type KernelLossOptions, kernelProxyLoss } from "./kernel-loss.js";
import { outputPhase } from "./local.js";

export interface TransferScoreOptions extends KernelLossOptions {
  /** Batches the score averages over. Default 10. */
  readonly batches?: number;
  /** Samples per batch. The kernel matrix is [batchSize, batchSize]. Default 128. */
  readonly batchSize?: number;
  /** Seed of the shuffle that picks the batches, so every body is scored on the same samples. Default 0. */
  readonly seed?: number;
}

export interface TransferScore {
  /** Mean kernel proxy loss over the batches: lower predicts better transfer. */
  readonly score: number;
  /** Kernel proxy loss of each batch, in order. */
  readonly losses: readonly number[];
  /** Samples scored: batches × batchSize. */
  readonly samples: number;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`transferScore: ${name} ${value} is invalid; it must be a positive integer.`);
  }
}

/**
 * Score how well `body` (hidden modules in forward order) transfers to the
 * task of `source`: the mean kernel proxy loss of the body's output over the
 * first `batches` batches of one seeded shuffle of `source`. The body runs
 * in eval mode and is left unchanged. Throws `ConfigError` when `source` has
 * fewer than batches × batchSize samples or a batch size below 2, because
 * the loss needs pairs.
 */
export async function transferScore(body: readonly Module[], source: BatchSource, options: TransferScoreOptions = {}): Promise<TransferScore> {
  const batches = options.batches ?? 10;
  const batchSize = options.batchSize ?? 128;
  checkPositiveInteger("batches", batches);
  checkPositiveInteger("batchSize", batchSize);
  if (batchSize < 2) {
    throw new ConfigError("transferScore: batchSize 1 is invalid; the kernel proxy loss compares pairs, so it needs at least 2.");
  }
  if (batches * batchSize > source.size) {
    throw new ConfigError(
      `transferScore: ${batches} batches of ${batchSize} need ${batches * batchSize} samples, but the source has ` +
        `${source.size}. Use fewer batches or a smaller batch size.`,
    );
  }

  const modes = body.map((module) => module.training);
  body.forEach((module) => module.eval());
  const losses: Tensor[] = [];
  try {
    for (const batch of source.batches({ batchSize, shuffle: true, seed: options.seed ?? 0, epoch: 0 })) {
      losses.push(keep(tidy(() => reshape(kernelProxyLoss(forwardThrough(body, batch.x), pairLabels(batch), options), [1]))));
      disposeBatch(batch);
      if (losses.length === batches) break;
    }
    // One readback for all batches.
    const stacked = concat(losses);
    const values = Array.from(await stacked.data());
    stacked.dispose();
    const score = values.reduce((acc, value) => acc + value, 0) / values.length;
    return { score, losses: values, samples: batches * batchSize };
  } finally {
    losses.forEach((loss) => loss.dispose());
    body.forEach((module, i) => module.train(modes[i]));
  }
}

export interface OutputFitOptions {
  /** Epochs of output-layer training. Default 1. */
  readonly epochs?: number;
  /** Default 128. */
  readonly batchSize?: number;
  /** Seed of the output layer's initial weights and of the shuffles. Default 0. */
  readonly seed?: number;
  /**
   * Default Adam at 1e-2, the rate `kernelProxy` gives its own output phase:
   * the proxy loss leaves the scale of the features free, and on the
   * embedded MNIST the output layer trained far slower at Adam's usual 1e-3.
   */
  readonly optimizer?: OptimizerSpec;
  /** Training events of the runner, e.g. for a progress display. */
  readonly onEvent?: (event: TrainingEvent) => void;
}

export interface OutputFit {
  /** Accuracy of body + fitted output layer on the test source, in [0, 1]. */
  readonly testAccuracy: number;
  /** Mean cross-entropy of the last epoch. */
  readonly finalLoss: number;
  readonly seconds: number;
}

/** Return the per-sample shape of `body`'s output, from one zero sample run in eval mode. */
function bodyOutputShape(body: readonly Module[], sampleShape: readonly number[]): number[] {
  const modes = body.map((module) => module.training);
  body.forEach((module) => module.eval());
  try {
    return tidy(() => forwardThrough(body, zeros([1, ...sampleShape])).shape.slice(1));
  } finally {
    body.forEach((module, i) => module.train(modes[i]));
  }
}

/**
 * Fit a new linear output layer on the frozen `body` with cross-entropy on
 * `trainSource`, then report the accuracy of the whole network on `testSource`.
 * This is the last phase of greedy proxy training alone, run by the runner
 * of `@modular/nn`. The body is never updated, and the output layer is
 * disposed before returning. `trainSource` must report its `sampleShape`.
 */
export async function fitOutputLayer(
  body: readonly Module[],
  trainSource: BatchSource,
  testSource: BatchSource,
  options: OutputFitOptions = {},
): Promise<OutputFit> {
  if (trainSource.sampleShape === undefined) {
    throw new ConfigError(
      "fitOutputLayer needs the sample shape of the training data to size the output layer. " +
        "Pass a source with a `sampleShape`, such as a Dataset of @modular/datasets.",
    );
  }
  const epochs = options.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs <= 0) {
    throw new ConfigError(`fitOutputLayer: epochs ${epochs} is invalid; it must be a positive integer.`);
  }
  const seed = options.seed ?? 0;
  const featureShape = bodyOutputShape(body, trainSource.sampleShape);
  const features = featureShape.reduce((acc, size) => acc * size, 1);
  const linear = new Linear(features, trainSource.classes, { init: "xavier-uniform", gain: 1, seed });
  const head: Module = featureShape.length === 1 ? linear : new Sequential([new Flatten(), linear]);

  const method: TrainingMethod = {
    name: "output-layer",
    plan: (modules, context) => [outputPhase(modules, context, epochs, context.createOptimizer())],
  };
  const modes = body.map((module) => module.training);
  try {
    const result = await train({
      modules: [new Sequential([...body]), head],
      method,
      train: trainSource,
      test: testSource,
      epochs,
      batchSize: options.batchSize ?? 128,
      seed,
      optimizer: options.optimizer ?? { kind: "adam", lr: 1e-2 },
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    });
    const losses = Object.values(result.finalLosses)[0] ?? {};
    return { testAccuracy: result.testAccuracy!, finalLoss: Object.values(losses)[0] ?? Number.NaN, seconds: result.seconds };
  } finally {
    head.dispose();
    body.forEach((module, i) => module.train(modes[i]));
  }
}
