/**
 * The feedback paths of the three schemes, each built over a list of
 * training modules:
 *
 * - `randomFeedback`: a fixed random matrix B per layer (FA; Lillicrap,
 *   Cownden, Tweed and Akerman, Nature Communications 2016).
 * - `signFeedback`: B = sign(W) times a magnitude, recomputed from the
 *   current W at every backward pass (Liao, Leibo and Poggio, "How
 *   important is weight symmetry in backpropagation?", AAAI 2016).
 * - `directFeedback`: the output error e sent to the input of every layer
 *   through a fixed random matrix of its own (DFA; Nøkland, "Direct
 *   feedback alignment provides learning in deep neural networks", NIPS
 *   2016).
 *
 * The first weight layer reads the data, which needs no gradient, so it
 * gets no feedback matrix.
 */
import { ConfigError, Module, moduleOutputShapes, type Parameter } from "@modular/nn";
import {
  abs,
  formatShape,
  matmul,
  mul,
  randomNormal,
  randomUniform,
  reshape,
  sign,
  sizeOf,
  type Tensor,
} from "@modular/tensor";
import { type FeedbackNetwork, withFeedback } from "./convert.js";
import { feedbackInputGradient, type InputGradient, type WeightLayer } from "./feedback-ops.js";

/**
 * The fixed feedback matrices of a scheme, one per weight layer but the
 * first, as an auxiliary module so that runs count and checkpoint them.
 * They are stored as parameters for that count, but no optimizer steps them.
 */
export class FeedbackMatrices extends Module {
  private readonly byLayer = new Map<number, Parameter>();

  /** `matrices[k]` is the matrix of weight layer k, or undefined for a layer without one. */
  constructor(matrices: readonly (Tensor | undefined)[]) {
    super();
    matrices.forEach((matrix, k) => {
      if (matrix !== undefined) this.byLayer.set(k, this.addParameter(`layer${k + 1}`, matrix));
    });
  }

  /** Returns the current matrix of weight layer `index` (from 0). */
  matrix(index: number): Tensor {
    const parameter = this.byLayer.get(index);
    if (parameter === undefined) {
      throw new ConfigError(
        `FeedbackMatrices: weight layer ${index + 1} has no feedback matrix. The first weight layer reads the data ` +
          "and gets none, so its input must not need a gradient.",
      );
    }
    return parameter.value;
  }

  /** Throws: the matrices are read by the feedback paths, never applied as a layer. */
  forward(): Tensor {
    throw new ConfigError("FeedbackMatrices has no forward pass; the feedback paths read its matrices with matrix().");
  }

  override describe(): string {
    return `FeedbackMatrices(${this.parameters().map((parameter) => formatShape(parameter.shape)).join(", ")})`;
  }
}

/** A feedback scheme over a list of training modules. */
export interface FeedbackScheme {
  readonly network: FeedbackNetwork;
  /** Auxiliary modules to count, checkpoint and dispose: the fixed matrices, when the scheme has any. */
  readonly auxiliary: readonly Module[];
  /** Called before each backward pass with the step number (from 0) and the output error e = ∂L/∂y. */
  beginBackward(step: number, error: Tensor): void;
  /** Called after each backward pass. */
  endBackward(): void;
}

/** Fan-out of a weight layer: the number of outputs each input reaches, out·KH·KW for a convolution. */
function fanOut(layer: WeightLayer): number {
  const shape = layer.weight.shape;
  return shape.length === 2 ? shape[1]! : sizeOf(shape) / shape[1]!;
}

/** Uniform values with standard deviation `std`, seeded by (seed, stream). */
function uniformWithStd(shape: readonly number[], std: number, seed: number, stream: number): Tensor {
  const bound = std * Math.sqrt(3);
  return randomUniform(shape, { seed, stream, low: -bound, high: bound });
}

function noError(): never {
  throw new ConfigError("directFeedback: the output error is unset; call beginBackward before the backward pass.");
}

/**
 * FA: a fixed random matrix B of the weight's shape for every weight layer
 * but the first, uniform with standard deviation scale/√fanOut, so that at
 * scale 1 the feedback keeps the variance of the backward signal.
 */
export function randomFeedback(modules: readonly Module[], options: { scale: number; seed: number }): FeedbackScheme {
  let matrices: FeedbackMatrices | undefined;
  const network = withFeedback(modules, (layer, index) =>
    feedbackInputGradient(layer, () => matrices!.matrix(index)),
  );
  matrices = new FeedbackMatrices(
    network.layers.map(({ layer, index }) =>
      index === 0 ? undefined : uniformWithStd(layer.weight.shape, options.scale / Math.sqrt(fanOut(layer)), options.seed, index),
    ),
  );
  return { network, auxiliary: [matrices], beginBackward() {}, endBackward() {} };
}

/** Magnitudes of sign-symmetric feedback: one fixed value per layer, or random values redrawn every batch. */
export type SignMagnitude = "uniform" | "batch-random";

/**
 * Sign symmetry: B = sign(W) ⊙ M from the current W at every backward pass.
 * With "uniform", every entry of M is scale/√fanOut. With "batch-random",
 * M = |R| with R normal of standard deviation scale/√fanOut, redrawn every
 * step from (seed, step, layer).
 */
export function signFeedback(
  modules: readonly Module[],
  options: { scale: number; seed: number; magnitude: SignMagnitude },
): FeedbackScheme {
  let step = 0;
  let layerCount = 0;
  const network = withFeedback(modules, (layer, index) => {
    const std = options.scale / Math.sqrt(fanOut(layer));
    if (options.magnitude === "uniform") return feedbackInputGradient(layer, (weight) => mul(sign(weight), std));
    return feedbackInputGradient(layer, (weight) => {
      const stream = (step * layerCount + index) % 2 ** 32;
      return mul(sign(weight), abs(randomNormal(weight.shape, { seed: options.seed, stream, std })));
    });
  });
  layerCount = network.layers.length;
  return {
    network,
    auxiliary: [],
    beginBackward(stepIndex) {
      step = stepIndex;
    },
    endBackward() {},
  };
}

/**
 * DFA: the input of weight layer k > 0 receives reshape(e·B_k) with a
 * fixed random B_k [outputs, input features of layer k], uniform with
 * standard deviation scale/√outputs, in place of the gradient from the
 * layers above. The layer below then updates with (e·B_k) ⊙ f′(a) at its
 * pre-activation a, through the true derivatives of its activation and
 * pooling. Widths are free: the sizes come from one forward pass on a zero
 * sample of `sampleShape`.
 */
export function directFeedback(
  modules: readonly Module[],
  options: { scale: number; seed: number; sampleShape: readonly number[] },
): FeedbackScheme {
  let matrices: FeedbackMatrices | undefined;
  let error: Tensor | undefined;
  const project: (index: number) => InputGradient = (index) => (_dy, x) => {
    const e = error ?? noError();
    if (e.shape[0] !== x.shape[0]) {
      throw new ConfigError(
        `directFeedback: the output error has shape ${formatShape(e.shape)}, but the input of weight layer ${index + 1} ` +
          `has shape ${formatShape(x.shape)}; their batch sizes must be equal.`,
      );
    }
    return reshape(matmul(e, matrices!.matrix(index)), x.shape);
  };
  const network = withFeedback(modules, (_layer, index) => project(index));

  const outputShape = moduleOutputShapes(network.modules, options.sampleShape).at(-1)!;
  const outputs = sizeOf(outputShape);
  matrices = new FeedbackMatrices(
    network.layers.map(({ index, inputShape }) =>
      index === 0 || inputShape === undefined
        ? undefined
        : uniformWithStd([outputs, sizeOf(inputShape)], options.scale / Math.sqrt(outputs), options.seed, index),
    ),
  );
  return {
    network,
    auxiliary: [matrices],
    beginBackward(_step, outputError) {
      if (outputError.rank !== 2 || outputError.shape[1] !== outputs) {
        throw new ConfigError(
          `directFeedback: the output error has shape ${formatShape(outputError.shape)}, but the model's output ` +
            `is [N, ${outputs}]; DFA needs flat outputs, such as class scores.`,
        );
      }
      error = outputError;
    },
    endBackward() {
      error = undefined;
    },
  };
}
