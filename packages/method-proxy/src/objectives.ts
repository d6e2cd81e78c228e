/**
 * Local objectives of the Proxy Objective schemes, each an
 * `ObjectiveFactory` for `localLossMethod`. Heads see the module output as
 * a feature vector: a vector output as it is, an image output [C, H, W]
 * averaged over its spatial positions to [C].
 */
import { classLabels, crossEntropy, Flatten, Linear, Module, mse, pairLabels, ReLU, Sequential } from "@modular/nn";
import {
  add,
  cast,
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

/**
 * Mean over the spatial axes of [N, C, H, W], giving [N, C]; other inputs
 * are flattened to [N, F]. Heads use it to read any module output.
 */
export class FeatureVector extends Module {
  private readonly flatten = new Flatten();

  forward(x: Tensor): Tensor {
    if (x.rank === 4) return mean(x, { axis: [2, 3] });
    return this.flatten.forward(x);
  }

  override describe(): string {
    return "FeatureVector";
  }
}

/** Number of features `FeatureVector` gives for one sample of `shape`. */
export function featureCount(shape: Shape): number {
  return shape.length === 3 ? shape[0]! : sizeOf(shape);
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
  return new Sequential([new FeatureVector(), linear]);
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
 * `sim` of Nøkland and Eidnes 2019: similarity matching on the module's
 * features. The paper passes convolutional outputs through a 3×3
 * convolution first; here every output is read through `FeatureVector`.
 */
export function simObjective(): ObjectiveFactory {
  return (context) => {
    const features = new FeatureVector();
    return {
      heads: [],
      labelKind: "pairs",
      loss: (h, batch) => pairSimilarityMatchingLoss(features.forward(h), pairLabels(batch), context.classes),
    };
  };
}

/**
 * `predsim` of Nøkland and Eidnes 2019: (1 − β)·pred + β·sim. The paper
 * uses β = 0.99, which is the default.
 */
export function predSimObjective(beta = 0.99): ObjectiveFactory {
  return (context) => {
    const head = zeroClassifier(context);
    const features = new FeatureVector();
    return {
      heads: [head],
      loss: (h, batch) => {
        const labels = classLabels(batch, "the pred term of the predsim loss");
        const pred = crossEntropy(head.forward(h), labels);
        const sim = similarityMatchingLoss(features.forward(h), labels, context.classes);
        return add(mul(pred, 1 - beta), mul(sim, beta));
      },
    };
  };
}

/**
 * Build an auxiliary classifier of `depth` layers: depth − 1 hidden layers of
 * `width` units with ReLU, then the output layer. Belilovsky, Eickenberg and
 * Oyallon ("Greedy layerwise learning can scale to ImageNet", ICML 2019)
 * study depths 1 to 3.
 */
function classifierHead(context: ObjectiveContext, depth: number, width: number, stream: number): Sequential {
  const layers: Module[] = [new FeatureVector()];
  let features = featureCount(context.outputShape);
  for (let layer = 0; layer < depth - 1; layer++) {
    layers.push(new Linear(features, width, { seed: context.seed, stream: stream + layer }), new ReLU());
    features = width;
  }
  layers.push(new Linear(features, context.classes, { init: "xavier-uniform", gain: 1, seed: context.seed, stream: stream + depth }));
  return new Sequential(layers);
}

/** Cross-entropy of a trainable auxiliary classifier of `depth` layers (Belilovsky et al. 2019). */
export function auxClassifierObjective(depth = 1, width = 256): ObjectiveFactory {
  return (context) => {
    const head = classifierHead(context, depth, width, 0);
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
      new FeatureVector(),
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
      new FeatureVector(),
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
      new FeatureVector(),
      new Linear(features, dimension, { seed: context.seed, stream: 500 }),
      new ReLU(),
      new Linear(dimension, dimension, { seed: context.seed, stream: 501 }),
    ]);
    let step = 0;
    return {
      heads: [head],
      labelKind: "pairs",
      loss: (h, _batch, input, forward) => {
        const keep = greater(randomUniform(input.shape, { seed: context.seed, stream: step++ }), drop);
        const view = mul(input, mul(cast(keep, "float32"), 1 / (1 - drop)));
        return infoNceLoss(head.forward(h), head.forward(forward(view)), temperature);
      },
    };
  };
}
