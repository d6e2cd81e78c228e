/**
 * Models built from a plain, serialisable spec. A model is a `Sequential`
 * of blocks; `split` cuts it into training modules at block boundaries.
 */
import { sizeOf } from "@modular/tensor";
import { ConfigError } from "./errors.js";
import { Flatten, Linear, ReLU, Sigmoid, Tanh } from "./layers.js";
import type { InitName } from "./init.js";
import { type Module, Sequential } from "./module.js";

export type Activation = "relu" | "tanh" | "sigmoid";

export const ACTIVATIONS: readonly Activation[] = ["relu", "tanh", "sigmoid"];

/** A multilayer perceptron: Flatten, then (Linear, activation) per hidden width, then a Linear output layer. */
export interface MlpSpec {
  readonly kind: "mlp";
  /** Shape of one input sample, e.g. [1, 28, 28]; it is flattened. */
  readonly inputShape: readonly number[];
  /** Width of each hidden layer, e.g. [256, 128]. */
  readonly hidden: readonly number[];
  /** Number of output classes (the width of the output layer). */
  readonly classes: number;
  /** Hidden nonlinearity. Default "relu". */
  readonly activation?: Activation;
}

export type ModelSpec = MlpSpec;

export const MODEL_KINDS = ["mlp"] as const;

/** A model: its blocks in order, and the spec that rebuilds it. */
export class Model extends Sequential {
  constructor(
    readonly spec: ModelSpec,
    readonly blocks: readonly Module[],
  ) {
    super(blocks);
  }
}

function activationModule(activation: Activation): Module {
  if (activation === "relu") return new ReLU();
  if (activation === "tanh") return new Tanh();
  return new Sigmoid();
}

/** Initialiser and gain suited to each activation: Kaiming for ReLU, Xavier for tanh and sigmoid. */
function initFor(activation: Activation): { init: InitName; gain: number } {
  if (activation === "relu") return { init: "kaiming-normal", gain: Math.SQRT2 };
  if (activation === "tanh") return { init: "xavier-uniform", gain: 5 / 3 };
  return { init: "xavier-uniform", gain: 1 };
}

/**
 * Build an MLP. Blocks: one per hidden layer ([Flatten,] Linear, activation),
 * then the output Linear. Input [N, ...inputShape], output [N, classes].
 */
export function mlp(spec: MlpSpec, seed = 0): Model {
  const activation = spec.activation ?? "relu";
  if (!ACTIVATIONS.includes(activation)) {
    throw new ConfigError(`mlp: unknown activation "${activation}". Valid activations: ${ACTIVATIONS.join(", ")}.`);
  }
  if (!Number.isInteger(spec.classes) || spec.classes < 2) {
    throw new ConfigError(`mlp: classes ${spec.classes} is invalid; it must be an integer of at least 2.`);
  }
  const inFeatures = sizeOf(spec.inputShape);
  const widths = [inFeatures, ...spec.hidden];
  const { init, gain } = initFor(activation);
  const blocks: Module[] = [];
  spec.hidden.forEach((width, i) => {
    const layers: Module[] = [];
    if (i === 0) layers.push(new Flatten());
    layers.push(new Linear(widths[i]!, width, { init, gain, seed, stream: i }));
    layers.push(activationModule(activation));
    blocks.push(new Sequential(layers));
  });
  const last = widths[widths.length - 1]!;
  const output = new Linear(last, spec.classes, { init: "xavier-uniform", gain: 1, seed, stream: spec.hidden.length });
  blocks.push(spec.hidden.length === 0 ? new Sequential([new Flatten(), output]) : output);
  return new Model(spec, blocks);
}

/** Build a model from its spec with seeded initial weights. */
export function buildModel(spec: ModelSpec, seed = 0): Model {
  if (spec.kind === "mlp") return mlp(spec, seed);
  throw new ConfigError(
    `Unknown model kind "${(spec as { kind: string }).kind}". Valid kinds: ${MODEL_KINDS.join(", ")}.`,
  );
}

/**
 * Cut a model into training modules. `boundaries` are the block indices where
 * a new module starts, strictly increasing in [1, blocks − 1]: for an MLP with
 * two hidden layers (3 blocks), `[2]` gives the two-module setting (the body,
 * and the output layer) and `[1, 2]` gives one module per block.
 */
export function split(model: Model, boundaries: readonly number[]): Sequential[] {
  const count = model.blocks.length;
  let previous = 0;
  for (const boundary of boundaries) {
    if (!Number.isInteger(boundary) || boundary <= previous || boundary >= count) {
      throw new ConfigError(
        `split: boundary ${boundary} is invalid for a model of ${count} blocks; boundaries must be ` +
          `strictly increasing integers from 1 to ${count - 1}. Got [${boundaries.join(", ")}].`,
      );
    }
    previous = boundary;
  }
  const edges = [0, ...boundaries, count];
  return edges.slice(0, -1).map((start, i) => new Sequential(model.blocks.slice(start, edges[i + 1])));
}

/** Split into the two-module setting: everything but the output layer, and the output layer. */
export function splitBeforeOutput(model: Model): Sequential[] {
  return split(model, [model.blocks.length - 1]);
}
