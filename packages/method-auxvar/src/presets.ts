/**
 * Presets: every Auxiliary Variables scheme by name, with its defaults and
 * the paper that proposed it. The CLI lists these.
 */
import type { TrainingMethod } from "@modular/nn";
import { admm } from "./admm.js";
import { bcd } from "./bcd.js";

/** Options of a preset's factory, by name, as read from a JSON file or the command line. */
export type PresetOptions = Readonly<Record<string, unknown>>;

export interface AuxvarPreset {
  /** The method name, e.g. "auxvar/admm". */
  readonly name: string;
  /** One-line summary of the block updates. */
  readonly summary: string;
  /** Full citation of the paper that proposed the scheme. */
  readonly paper: string;
  /** Short citation (authors and year) for one-line lists. */
  readonly citation: string;
  /** The defaults, as the options object the factory receives. */
  readonly defaults: Readonly<Record<string, number | string>>;
  /** Both schemes update every layer in one phase; the split only groups layers, as for backprop. */
  readonly split: "before-output";
  /** Names of the options the factory takes, for checking user input such as `modular train --config`. */
  readonly optionNames: readonly string[];
  /**
   * One line per name of `optionNames`: what the option sets, with its unit
   * or valid range, and its default when `defaults` has none.
   */
  readonly optionHelp: Readonly<Record<string, string>>;
  /** Model kinds the scheme can train: the closed-form updates need a dense ReLU chain, so `mlp` only. */
  readonly models: readonly string[];
  /** Creates the method with `options` over the defaults. */
  create(options?: PresetOptions): TrainingMethod;
}

const JITTER_HELP = "value added to the diagonal of every matrix before its Cholesky factorisation, ≥ 0";
const ALIGNMENT_EVERY_HELP =
  "steps between measurements of the angle in degrees between each training module's update and the true backprop gradient, " +
  "integer ≥ 0, where 0 turns them off";

export const AUXVAR_PRESETS: readonly AuxvarPreset[] = [
  {
    name: "auxvar/bcd",
    summary:
      "every layer's weights, activations and pre-activations by closed-form proximal block updates, from the output down",
    paper:
      'Zeng, Lau, Lin and Yao, "Global convergence of block coordinate descent in deep learning", ICML 2019',
    citation: "Zeng et al. 2019",
    defaults: { gamma: 1, proximal: 0.1, weightProximal: 0.1, iterations: 1, jitter: 1e-4, alignmentEvery: 20 },
    split: "before-output",
    optionNames: ["gamma", "proximal", "weightProximal", "iterations", "jitter", "alignmentEvery"],
    optionHelp: {
      gamma:
        "γ, weight of the splitting terms that tie each layer's auxiliary activations and pre-activations " +
        "to its weights and ReLU, > 0",
      proximal: "α, weight of the proximal term that keeps each activation and pre-activation update near its previous value, ≥ 0",
      weightProximal: "ρ, weight of the proximal term that keeps each weight update near the previous weights, ≥ 0",
      iterations: "sweeps over all blocks per batch, each from the output layer down to the first, integer ≥ 1",
      jitter: JITTER_HELP,
      alignmentEvery: ALIGNMENT_EVERY_HELP,
    },
    models: ["mlp"],
    create: (options = {}) => bcd(options as Parameters<typeof bcd>[0]),
  },
  {
    name: "auxvar/admm",
    summary:
      "every layer's weights by least squares, activations and pre-activations in closed form, a Lagrange multiplier on the output",
    paper:
      'Taylor, Burmeister, Xu, Singh, Patel and Goldstein, "Training neural networks without gradients: a scalable ADMM approach", ICML 2016',
    citation: "Taylor et al. 2016",
    defaults: {
      beta: 1,
      gamma: 1,
      iterations: 4,
      warmStart: 1,
      loss: "hinge",
      weightProximal: 0.01,
      jitter: 1e-4,
      alignmentEvery: 20,
    },
    split: "before-output",
    optionNames: ["beta", "gamma", "iterations", "warmStart", "loss", "weightProximal", "jitter", "alignmentEvery"],
    optionHelp: {
      beta: "β, weight of the constraints pre-activation = W·input of every layer, and the step of the Lagrange multiplier update, > 0",
      gamma: "γ, weight of the constraints activation = relu(pre-activation) of every hidden layer, > 0",
      iterations: "ADMM iterations per batch, integer ≥ 1",
      warmStart: "iterations of each batch that keep the Lagrange multiplier at zero, integer ≥ 0",
      loss:
        "loss of the output layer: hinge pushes the true class's output above 1 and the others below 0, " +
        "and mse is half the squared error against the one-hot labels",
      weightProximal: "ρ, weight of the proximal term that keeps each weight update near the previous weights, ≥ 0",
      jitter: JITTER_HELP,
      alignmentEvery: ALIGNMENT_EVERY_HELP,
    },
    models: ["mlp"],
    create: (options = {}) => admm(options as Parameters<typeof admm>[0]),
  },
];
