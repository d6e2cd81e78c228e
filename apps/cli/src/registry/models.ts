/**
 * Model architectures that `modular train --model` accepts. An entry builds a
 * seeded model for the dataset's sample shape and classes. A new
 * architecture needs one entry here.
 */
import { type Model, mlp } from "@modular/nn";
import type { RegistryEntry } from "./entry.js";

/** Inputs of a model builder: the user's flags and the dataset's shapes. */
export interface ModelOptions {
  /** Widths of the hidden layers, from `--hidden`. */
  readonly hidden: readonly number[];
  /** Shape of one input sample, e.g. [1, 28, 28]. */
  readonly sampleShape: readonly number[];
  readonly classes: number;
}

export interface ModelEntry extends RegistryEntry {
  /** Builds the model with initial weights drawn from `seed`. */
  build(options: ModelOptions, seed: number): Model;
  /** Describes the architecture in a few words for the header line, e.g. "mlp 784-256-128-10". */
  summary(options: ModelOptions): string;
}

function features(sampleShape: readonly number[]): number {
  return sampleShape.reduce((product, dim) => product * dim, 1);
}

export const MODELS: readonly ModelEntry[] = [
  {
    name: "mlp",
    description: "multilayer perceptron: flattened input, ReLU hidden layers of the --hidden widths, linear output",
    build: (options, seed) =>
      mlp({ kind: "mlp", inputShape: options.sampleShape, hidden: options.hidden, classes: options.classes }, seed),
    summary: (options) => `mlp ${[features(options.sampleShape), ...options.hidden, options.classes].join("-")}`,
  },
];
