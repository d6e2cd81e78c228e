/**
 * The job every target of the peers suite runs: the data, the initial
 * weights and the order of the training samples per epoch. All targets
 * start from the same weights (our `mlp`'s seeded He-normal hidden layers,
 * Glorot-uniform output layer and zero biases) and see the samples in the
 * same order, so their accuracies differ only by the library's arithmetic.
 */
import { type Dataset, type DatasetSplit, shuffledIndices } from "@modular/datasets";
import { mlp, type Model } from "@modular/nn";
import type { ResolvedPeersSuiteOptions } from "./options.js";
import { PEERS_MLP_HIDDEN } from "./options.js";

/** Adam settings shared by every target; the defaults of Kingma and Ba (2015) and of PyTorch. */
export interface AdamSettings {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
}

export interface PeersJob {
  readonly train: Dataset;
  readonly test: Dataset;
  /** Layer widths: input features, the hidden widths, classes. */
  readonly widths: readonly number[];
  /** Initial weight of each layer, [in, out] row-major. */
  readonly weights: readonly Float32Array[];
  /** Initial bias of each layer, [out]. */
  readonly biases: readonly Float32Array[];
  /** Order of the training samples in each epoch: `orders[e]` is a permutation of 0..train.size-1. */
  readonly orders: readonly Int32Array[];
  readonly batchSize: number;
  readonly epochs: number;
  readonly seed: number;
  readonly adam: AdamSettings;
}

/** One batch of host arrays: `count` rows of `x` and `count` labels. */
export interface HostRows {
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly count: number;
}

/** Build our `mlp` with the job's widths and seed, on the current backend. */
export function buildPeersMlp(train: Dataset, seed: number): Model {
  return mlp({ kind: "mlp", inputShape: [...train.sampleShape], hidden: [...PEERS_MLP_HIDDEN], classes: train.classes }, seed);
}

/** Read the weights and biases of `model`, layer by layer, and check them against `widths`. */
async function readLayers(model: Model, widths: readonly number[]): Promise<{ weights: Float32Array[]; biases: Float32Array[] }> {
  const parameters = model.parameters();
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let layer = 0; layer + 1 < widths.length; layer++) {
    const weight = parameters[2 * layer];
    const bias = parameters[2 * layer + 1];
    const [fanIn, fanOut] = [widths[layer]!, widths[layer + 1]!];
    if (weight?.shape.join() !== `${fanIn},${fanOut}` || bias?.shape.join() !== `${fanOut}`) {
      throw new Error(`mlp layer ${layer + 1}: expected a [${fanIn}, ${fanOut}] weight and a [${fanOut}] bias, found other parameters.`);
    }
    weights.push((await weight.value.data()) as Float32Array);
    biases.push((await bias.value.data()) as Float32Array);
  }
  return { weights, biases };
}

/** Take the first `limit` samples of `dataset`, or all of them when `limit` is undefined. */
function firstSamples(dataset: Dataset, limit: number | undefined): Dataset {
  return limit === undefined || limit >= dataset.size ? dataset : dataset.slice(0, limit);
}

/** Build the job: slice the data, draw the initial weights with our `mlp`, and draw one sample order per epoch. */
export async function createPeersJob(data: DatasetSplit, options: ResolvedPeersSuiteOptions): Promise<PeersJob> {
  const train = firstSamples(data.train, options.limitTrain);
  const test = firstSamples(data.test, options.limitTest);
  const widths = [train.features, ...PEERS_MLP_HIDDEN, train.classes];

  const model = buildPeersMlp(train, options.seed);
  let layers: { weights: Float32Array[]; biases: Float32Array[] };
  try {
    layers = await readLayers(model, widths);
  } finally {
    model.dispose();
  }

  // Epochs count from 1, as in the runner of @modular/nn.
  const orders = Array.from({ length: options.epochs }, (_, e) => shuffledIndices(train.size, { seed: options.seed, epoch: e + 1 }));
  return {
    train,
    test,
    widths,
    ...layers,
    orders,
    batchSize: options.batchSize,
    epochs: options.epochs,
    seed: options.seed,
    adam: { lr: options.lr, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
  };
}

/** Yield the batches of epoch `epoch` (from 0) in the job's order, as host arrays. */
export function* epochBatches(job: PeersJob, epoch: number): Generator<HostRows, void, undefined> {
  const order = job.orders[epoch]!;
  const features = job.train.features;
  for (let start = 0; start < order.length; start += job.batchSize) {
    const count = Math.min(job.batchSize, order.length - start);
    const x = new Float32Array(count * features);
    const y = new Int32Array(count);
    for (let row = 0; row < count; row++) {
      const sample = order[start + row]!;
      x.set(job.train.images.subarray(sample * features, (sample + 1) * features), row * features);
      y[row] = job.train.labels[sample]!;
    }
    yield { x, y, count };
  }
}

/** Return the batch every target times: the first batch of epoch 1. */
export function timedBatch(job: PeersJob): HostRows {
  return epochBatches(job, 0).next().value as HostRows;
}

/** Fraction of `labels` equal to `predictions`, both of length n. */
export function accuracyOf(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return labels.length === 0 ? 0 : correct / labels.length;
}
