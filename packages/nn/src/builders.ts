/**
 * Models built from a plain, serialisable spec. A model is a `Sequential`
 * of named blocks; `split` cuts it into training modules at block
 * boundaries, given by index or by the name of the block they follow.
 */
import { sizeOf } from "@modular/tensor";
import { type CnnSpec, cnn, type ResNetSpec, resnet, type VggSpec, vgg } from "./conv-builders.js";
import { ConfigError } from "./errors.js";
import { Flatten, Linear, ReLU, Sigmoid, Tanh } from "./layers.js";
import type { InitName } from "./init.js";
import { Model, ModelPart } from "./model.js";
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

export type ModelSpec = MlpSpec | CnnSpec | VggSpec | ResNetSpec;

export { Model, ModelPart };
export type { CnnSpec, ResNetSpec, VggSpec };

export const MODEL_KINDS = ["mlp", "cnn", "vgg", "resnet"] as const;

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
  const names = [...spec.hidden.map((_, i) => `hidden${i + 1}`), "output"];
  return new Model(spec, blocks, names);
}

/** Build a model from its spec with seeded initial weights. */
export function buildModel(spec: ModelSpec, seed = 0): Model {
  if (spec.kind === "mlp") return mlp(spec, seed);
  if (spec.kind === "cnn") return cnn(spec, seed);
  if (spec.kind === "vgg") return vgg(spec, seed);
  if (spec.kind === "resnet") return resnet(spec, seed);
  throw new ConfigError(
    `Unknown model kind "${(spec as { kind: string }).kind}". Valid kinds: ${MODEL_KINDS.join(", ")}.`,
  );
}

/**
 * Cut a model into training modules. Each boundary starts a new module: an
 * index in [1, blocks − 1], or the name of the block it follows. For an MLP
 * with two hidden layers (blocks hidden1, hidden2, output), `[2]` or
 * `["hidden2"]` gives the two-module setting (the body, and the output
 * layer), and `[1, 2]` gives one module per block. Boundaries must increase.
 */
export function split(model: Model, boundaries: readonly (number | string)[]): ModelPart[] {
  const count = model.blocks.length;
  const indices = boundaries.map((boundary) => {
    if (typeof boundary === "number") return boundary;
    const index = model.blockNames.indexOf(boundary);
    if (index < 0) {
      throw new ConfigError(
        `split: no block is named "${boundary}". Blocks of this ${model.spec.kind}: ${model.blockNames.join(", ")}.`,
      );
    }
    return index + 1;
  });
  let previous = 0;
  for (const boundary of indices) {
    if (!Number.isInteger(boundary) || boundary <= previous || boundary >= count) {
      throw new ConfigError(
        `split: boundary ${boundary} is invalid for a model of ${count} blocks; boundaries must be ` +
          `strictly increasing integers from 1 to ${count - 1} (or names of any block but the last). ` +
          `Got [${boundaries.join(", ")}].`,
      );
    }
    previous = boundary;
  }
  const edges = [0, ...indices, count];
  return edges.slice(0, -1).map((start, i) => new ModelPart(model.spec, start, model.blocks.slice(start, edges[i + 1])));
}

/**
 * Rebuild the part of the model of `spec` that holds blocks
 * [firstBlock, firstBlock + blockCount), with fresh seeded weights. Copy the
 * trained tensors over to reproduce a `ModelPart` of another thread.
 */
export function buildPart(spec: ModelSpec, firstBlock: number, blockCount: number): ModelPart {
  const model = buildModel(spec);
  if (!Number.isInteger(firstBlock) || !Number.isInteger(blockCount) || firstBlock < 0 || blockCount < 1 ||
      firstBlock + blockCount > model.blocks.length) {
    throw new ConfigError(
      `buildPart: blocks [${firstBlock}, ${firstBlock + blockCount}) are out of range for a ${spec.kind} of ` +
        `${model.blocks.length} blocks.`,
    );
  }
  return new ModelPart(spec, firstBlock, model.blocks.slice(firstBlock, firstBlock + blockCount));
}

/** Split after every block: one training module per block, as layer-wise schemes train. */
export function splitEveryBlock(model: Model): ModelPart[] {
  return split(model, model.blocks.slice(1).map((_, i) => i + 1));
}

/** Split into the two-module setting: everything but the output layer, and the output layer. */
export function splitBeforeOutput(model: Model): ModelPart[] {
  return split(model, [model.blocks.length - 1]);
}
