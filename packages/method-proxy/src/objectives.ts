/**
 * Local objectives of the Proxy Objective schemes, each an
 * `ObjectiveFactory` for `localLossMethod`. Heads see the module output as
 * a feature vector (`FeatureVector`): a vector output as it is, an image
 * output [C, H, W] average-pooled to a few positions per channel.
 */
import { classLabels, Conv2d, crossEntropy, Flatten, Linear, Module, mse, pairLabels, ReLU, Sequential } from "@modular/nn";
import {
  add,
  cast,
  keep,
  matmul,
  mean,
  mul,
  oneHot,
  reshape,
  rsqrt,
  sizeOf,
  square,
  greater,
  randomUniform,
  tensor,
  transpose,
  sub,
  sum,
  type Shape,
  type Tensor,
} from "@modular/tensor";
import type { ObjectiveContext, ObjectiveFactory } from "./local.js";

/** Most features `FeatureVector` keeps of an image output; a cap of ours, in the spirit of Nøkland and Eidnes' pooling. */
const MAX_POOLED_FEATURES = 2048;

/**
 * Side of the pooled grid of an image output [C, H, W]: 4, 2 or 1, the
 * largest that fits in H and W and keeps C·side² ≤ 2048.
 */
export function pooledSide(shape: Shape): number {
  const [channels, height, width] = shape as [number, number, number];
  for (const side of [4, 2]) {
    if (side <= height && side <= width && channels * side * side <= MAX_POOLED_FEATURES) return side;
  }
  return 1;
}

/**
 * The [H·W, side²] matrix of adaptive average pooling: cell (i, j) of the
 * grid averages rows floor(i·H/side) to ceil((i+1)·H/side) − 1, and columns
 * likewise, so cells overlap by at most one row when side does not divide H.
 */
function poolingMatrix(height: number, width: number, side: number): Float32Array {
  const matrix = new Float32Array(height * width * side * side);
  const window = (i: number, size: number) => [Math.floor((i * size) / side), Math.ceil(((i + 1) * size) / side)] as const;
  for (let i = 0; i < side; i++) {
    const [top, bottom] = window(i, height);
    for (let j = 0; j < side; j++) {
      const [left, right] = window(j, width);
      const weight = 1 / ((bottom - top) * (right - left));
      for (let h = top; h < bottom; h++) {
        for (let w = left; w < right; w++) matrix[(h * width + w) * side * side + i * side + j] = weight;
      }
    }
  }
  return matrix;
}

/**
 * Reads any module output as a vector per sample: [N, C, H, W] is
 * average-pooled to a side × side grid per channel (see `pooledSide`) and
 * flattened to [N, C·side²]; other inputs are flattened to [N, F]. Nøkland
 * and Eidnes ("Training neural networks with local error signals", ICML
 * 2019) and Belilovsky et al. (ICML 2019) likewise pool convolutional
 * outputs before their auxiliary classifiers.
 */
export class FeatureVector extends Module {
  private readonly flatten = new Flatten();
  private readonly side: number;
  private readonly pooling: Tensor | undefined;

  /** `shape` is the shape of one sample of the input, e.g. [32, 7, 7] or [256]. */
  constructor(private readonly shape: Shape) {
    super();
    if (shape.length === 3) {
      const [, height, width] = shape as [number, number, number];
      this.side = pooledSide(shape);
      this.pooling = keep(tensor(poolingMatrix(height, width, this.side), [height * width, this.side * this.side]));
    } else {
      this.side = 1;
      this.pooling = undefined;
    }
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 4 || this.pooling === undefined) return this.flatten.forward(x);
    const [n, c, h, w] = x.shape as [number, number, number, number];
    if (c !== this.shape[0] || h !== this.shape[1] || w !== this.shape[2]) {
      throw new RangeError(`FeatureVector: built for samples of shape [${this.shape.join(", ")}], got [${c}, ${h}, ${w}].`);
    }
    return reshape(matmul(reshape(x, [n * c, h * w]), this.pooling), [n, c * this.side * this.side]);
  }

  override describe(): string {
    return this.shape.length === 3 ? `FeatureVector(pool to ${this.side}x${this.side})` : "FeatureVector";
  }

  override dispose(): void {
    super.dispose();
    this.pooling?.dispose();
  }
}

/** Number of features `FeatureVector` gives for one sample of `shape`. */
export function featureCount(shape: Shape): number {
  return shape.length === 3 ? shape[0]! * pooledSide(shape) ** 2 : sizeOf(shape);
}

/**
 * Cosine-similarity matrix of the rows of `x` [N, F] after centring each
 * row: Sᵢⱼ = (xᵢ − x̄ᵢ)·(xⱼ − x̄ⱼ) / (‖xᵢ − x̄ᵢ‖ ‖xⱼ − x̄ⱼ‖). A constant row
 * has norm 0, and the ε under the root keeps its similarities at 0.
 */
export function similarityMatrix(x: Tensor): Tensor {
  const centred = sub(x, mean(x, { axis: 1, keepDims: true }));
  const unit = mul(centred, rsqrt(add(sum(square(centred), { axis: 1, keepDims: true }), SIMILARITY_EPSILON)));
  return matmul(unit, unit, { transposeB: true });
}

/** Added to each squared row norm in `similarityMatrix`, so that constant rows stay finite. */
const SIMILARITY_EPSILON = 1e-8;

/**
 * Similarity-matching loss of Nøkland and Eidnes ("Training neural networks
 * with local error signals", ICML 2019): the mean squared difference
 * between the similarity matrix of the features [N, F] and that of the
 * one-hot labels, ‖S(h) − S(Y)‖²_F / N².
 */
export function similarityMatchingLoss(features: Tensor, labels: Tensor, classes: number): Tensor {
  const target = similarityMatrix(oneHot(cast(labels, "int32"), classes));
  return mse(similarityMatrix(features), target);
}

/**
 * `similarityMatchingLoss` computed from the pair labels `pairs` [N, N]
 * instead of the classes. The centred one-hot rows of C classes have
 * cosine similarity 1 within a class and −1/(C − 1) across classes, so the
 * target is (C·pairs − 1)/(C − 1), which needs no class id. With one class
 * every centred row is zero, and the target is 0.
 */
export function pairSimilarityMatchingLoss(features: Tensor, pairs: Tensor, classes: number): Tensor {
  const target = classes < 2 ? mul(pairs, 0) : mul(sub(mul(pairs, classes), 1), 1 / (classes - 1));
  return mse(similarityMatrix(features), target);
}

/** Build a linear classifier from the module features to the classes, with zero initial weights. */
function zeroClassifier(context: ObjectiveContext): Module {
  const linear = new Linear(featureCount(context.outputShape), context.classes, { init: "zeros" });
  return new Sequential([new FeatureVector(context.outputShape), linear]);
}

/**
 * `pred` of Nøkland and Eidnes 2019: cross-entropy of a linear classifier on
 * the module output. The classifier starts at zero, as in the paper.
 */
export function predObjective(): ObjectiveFactory {
  return (context) => {
    const head = zeroClassifier(context);
    return { heads: [head], loss: (h, batch) => crossEntropy(head.forward(h), classLabels(batch, "the pred loss")) };
  };
}

/**
 * Build the head whose features the sim loss compares. For an image output
 * it is a trainable 3×3 convolution that keeps the channels, as in Nøkland
 * and Eidnes 2019, followed by `FeatureVector`. A vector output is compared
 * as it is.
 */
function similarityHead(context: ObjectiveContext): Module {
  const features = new FeatureVector(context.outputShape);
  if (context.outputShape.length !== 3) return features;
  const channels = context.outputShape[0]!;
  return new Sequential([new Conv2d(channels, channels, 3, { padding: 1, seed: context.seed, stream: 500 }), features]);
}

/** `sim` of Nøkland and Eidnes 2019: similarity matching on the module's features. */
export function simObjective(): ObjectiveFactory {
  return (context) => {
    const head = similarityHead(context);
    return {
      heads: [head],
      labelKind: "pairs",
      loss: (h, batch) => pairSimilarityMatchingLoss(head.forward(h), pairLabels(batch), context.classes),
    };
  };
}

/**
 * `predsim` of Nøkland and Eidnes 2019: (1 − β)·pred + β·sim. The paper
 * uses β = 0.99, which is the default.
 */
export function predSimObjective(beta = 0.99): ObjectiveFactory {
  return (context) => {
    const pred = zeroClassifier(context);
    const sim = similarityHead(context);
    return {
      heads: [pred, sim],
      loss: (h, batch) => {
        const labels = classLabels(batch, "the pred term of the predsim loss");
        const predLoss = crossEntropy(pred.forward(h), labels);
        const simLoss = similarityMatchingLoss(sim.forward(h), labels, context.classes);
        return add(mul(predLoss, 1 - beta), mul(simLoss, beta));
      },
    };
  };
}

/**
 * Build an auxiliary classifier of `depth` layers: depth − 1 hidden layers
 * with ReLU, then the output layer on `FeatureVector`'s features. Hidden
 * layers are fully connected with `width` units. With `convolutional` on an
 * image output they are 3×3 convolutions that keep the channels, placed
 * before the pooling. Belilovsky, Eickenberg and Oyallon ("Greedy layerwise
 * learning can scale to ImageNet", ICML 2019) build their auxiliary
 * networks this way and study depths 1 to 3.
 */
function classifierHead(context: ObjectiveContext, depth: number, width: number, stream: number, convolutional = false): Sequential {
  const layers: Module[] = [];
  const image = context.outputShape.length === 3;
  if (convolutional && image) {
    const channels = context.outputShape[0]!;
    for (let layer = 0; layer < depth - 1; layer++) {
      layers.push(new Conv2d(channels, channels, 3, { padding: 1, seed: context.seed, stream: stream + layer }), new ReLU());
    }
  }
  layers.push(new FeatureVector(context.outputShape));
  let features = featureCount(context.outputShape);
  if (!(convolutional && image)) {
    for (let layer = 0; layer < depth - 1; layer++) {
      layers.push(new Linear(features, width, { seed: context.seed, stream: stream + layer }), new ReLU());
      features = width;
    }
  }
  layers.push(new Linear(features, context.classes, { init: "xavier-uniform", gain: 1, seed: context.seed, stream: stream + depth }));
  return new Sequential(layers);
}

/** Cross-entropy of a trainable auxiliary classifier of `depth` layers (Belilovsky et al. 2019). */
export function auxClassifierObjective(depth = 1, width = 256): ObjectiveFactory {
  return (context) => {
    const head = classifierHead(context, depth, width, 0, true);
    return { heads: [head], loss: (h, batch) => crossEntropy(head.forward(h), classLabels(batch, "the auxiliary classifier loss")) };
  };
}

/**
 * Cross-entropy of a fixed random linear classifier that never trains
 * (Mostafa, Ramesh and Cauwenberghs, "Deep supervised learning using local
 * errors", Frontiers in Neuroscience 2018).
 */
export function fixedRandomObjective(): ObjectiveFactory {
  return (context) => {
    const head = classifierHead(context, 1, 0, 100);
    return {
      heads: [],
      fixedHeads: [head],
      loss: (h, batch) => crossEntropy(head.forward(h), classLabels(batch, "the fixed random classifier loss")),
    };
  };
}

/**
 * Cross-entropy of a trainable two-layer fully connected classifier
 * (Marquez, Hare and Niranjan, "Deep cascade learning", IEEE TNNLS 2018).
 */
export function cascadeObjective(width = 128): ObjectiveFactory {
  return (context) => {
    const head = classifierHead(context, 2, width, 200);
    return { heads: [head], loss: (h, batch) => crossEntropy(head.forward(h), classLabels(batch, "the cascade classifier loss")) };
  };
}

/**
 * Similarity matching on an auxiliary projection network (two layers, ReLU
 * between), which lets the loss live in a space of its own dimension
 * whatever the module's width. Wang et al. ("Revisiting locally supervised
 * learning: an alternative to end-to-end training", ICLR 2021) use such a
 * projection head for their local similarity loss.
 */
export function auxSimObjective(dimension = 128): ObjectiveFactory {
  return (context) => {
    const features = featureCount(context.outputShape);
    const head = new Sequential([
      new FeatureVector(context.outputShape),
      new Linear(features, dimension, { seed: context.seed, stream: 300 }),
      new ReLU(),
      new Linear(dimension, dimension, { seed: context.seed, stream: 301 }),
    ]);
    return {
      heads: [head],
      labelKind: "pairs",
      loss: (h, batch) => pairSimilarityMatchingLoss(head.forward(h), pairLabels(batch), context.classes),
    };
  };
}

/**
 * InfoPro of Wang et al. 2021: `base` plus `weight` times the mean squared
 * error of a linear decoder that reconstructs the network input from the
 * module output, so the module keeps information about its input.
 */
export function infoProObjective(base: ObjectiveFactory, weight = 1): ObjectiveFactory {
  return (context) => {
    const inner = base(context);
    const decoder = new Sequential([
      new FeatureVector(context.outputShape),
      new Linear(featureCount(context.outputShape), sizeOf(context.sampleShape), { seed: context.seed, stream: 400 }),
    ]);
    return {
      heads: [...inner.heads, decoder],
      ...(inner.labelKind === undefined ? {} : { labelKind: inner.labelKind }),
      ...(inner.fixedHeads === undefined ? {} : { fixedHeads: inner.fixedHeads }),
      loss: (h, batch, input, forward) => {
        const target = reshape(batch.x, [batch.x.shape[0]!, -1]);
        return add(inner.loss(h, batch, input, forward), mul(mse(decoder.forward(h), target), weight));
      },
    };
  };
}

/**
 * Normalise each row of `z` [N, F] to unit length. A zero row stays zero,
 * because ε under the root keeps the division finite.
 */
function unitRows(z: Tensor): Tensor {
  return mul(z, rsqrt(add(sum(square(z), { axis: 1, keepDims: true }), SIMILARITY_EPSILON)));
}

/**
 * InfoNCE loss (van den Oord, Li and Vinyals, "Representation learning with
 * contrastive predictive coding", 2018) between two views [N, F]: row i of
 * `a` must pick row i of `b` among all rows of `b`, with cosine logits
 * divided by `temperature`, averaged over both directions. Its value is
 * finite whatever the rows are: duplicate or zero rows only make logits
 * equal, and the loss is then log N.
 */
export function infoNceLoss(a: Tensor, b: Tensor, temperature: number): Tensor {
  const logits = mul(matmul(unitRows(a), unitRows(b), { transposeB: true }), 1 / temperature);
  const targets = tensor(Int32Array.from({ length: a.shape[0]! }, (_, i) => i), [a.shape[0]!]);
  return mul(add(crossEntropy(logits, targets), crossEntropy(transposeLogits(logits), targets)), 0.5);
}

function transposeLogits(logits: Tensor): Tensor {
  return transpose(logits, [1, 0]);
}

export interface ContrastiveOptions {
  /** Width of the projection head. Default 64. */
  readonly dimension?: number;
  /** Softmax temperature of the logits. Default 0.1. */
  readonly temperature?: number;
  /** Probability that an input element is zeroed in the second view. Default 0.2. */
  readonly dropProbability?: number;
}

/**
 * Build a self-supervised objective in the style of Greedy InfoMax (Löwe,
 * O'Connor and Veeling, "Putting an end to end-to-end", NeurIPS 2019). Each
 * module learns, without labels, to tell a sample's second view from the
 * other samples of the batch. The second view runs the module on its input with a
 * random fraction of the elements zeroed (a fresh seeded mask each step),
 * and a two-layer projection head maps both views to the InfoNCE space.
 */
export function contrastiveObjective(options: ContrastiveOptions = {}): ObjectiveFactory {
  const dimension = options.dimension ?? 64;
  const temperature = options.temperature ?? 0.1;
  const drop = options.dropProbability ?? 0.2;
  return (context) => {
    const features = featureCount(context.outputShape);
    const head = new Sequential([
      new FeatureVector(context.outputShape),
      new Linear(features, dimension, { seed: context.seed, stream: 500 }),
      new ReLU(),
      new Linear(dimension, dimension, { seed: context.seed, stream: 501 }),
    ]);
    // Keys each step's dropout mask; `resumeAt` restores it, so a resumed run draws the same masks.
    let step = 0;
    return {
      heads: [head],
      labelKind: "pairs",
      loss: (h, _batch, input, forward) => {
        const keep = greater(randomUniform(input.shape, { seed: context.seed, stream: step++ }), drop);
        const view = mul(input, mul(cast(keep, "float32"), 1 / (1 - drop)));
        return infoNceLoss(head.forward(h), head.forward(forward(view)), temperature);
      },
      resumeAt: (steps) => {
        step = steps;
      },
    };
  };
}
