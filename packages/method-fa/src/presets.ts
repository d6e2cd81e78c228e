/**
 * Presets: every Feedback Alignment scheme by name, with its defaults and
 * the paper that proposed it. The CLI lists these.
 */
import type { TrainingMethod } from "@modular/nn";
import { dfa, type FeedbackOptions, fa, type SignSymmetryOptions, signSymmetry } from "./methods.js";

/** Options of a preset's factory, by name, as read from a JSON file or the command line. */
export type PresetOptions = Readonly<Record<string, unknown>>;

export interface FaPreset {
  /** The method name, e.g. "fa/dfa". */
  readonly name: string;
  /** The signal each layer trains on, in one line. */
  readonly summary: string;
  /** Full citation of the paper that proposed the scheme. */
  readonly paper: string;
  /** Short citation (authors and year) for one-line lists. */
  readonly citation: string;
  /** The defaults, as the options object the factory receives. */
  readonly defaults: Readonly<Record<string, number | string>>;
  /** Feedback alignment trains every layer in one phase, so the split only groups layers, as for backprop. */
  readonly split: "before-output";
  /** Names of the options the factory takes, for checking user input such as `modular train --config`. */
  readonly optionNames: readonly string[];
  /**
   * One line per name of `optionNames`: what the option sets, with its unit
   * or valid range, and its default when `defaults` has none.
   */
  readonly optionHelp: Readonly<Record<string, string>>;
  /** Creates the method with `options` over the defaults. */
  create(options?: PresetOptions): TrainingMethod;
}

const ALIGNMENT_EVERY_HELP =
  "steps between measurements of the angle in degrees between each weight layer's update and the true backprop gradient, " +
  "integer ≥ 0, where 0 turns them off";

export const FA_PRESETS: readonly FaPreset[] = [
  {
    name: "fa/fa",
    summary: "every layer's error sent down through a fixed random matrix instead of the transposed weights",
    paper:
      'Lillicrap, Cownden, Tweed and Akerman, "Random synaptic feedback weights support error backpropagation for deep learning", Nature Communications 2016',
    citation: "Lillicrap et al. 2016",
    defaults: { scale: 1, alignmentEvery: 20 },
    split: "before-output",
    optionNames: ["scale", "alignmentEvery"],
    optionHelp: {
      scale: "scale of the fixed random feedback matrices, whose standard deviation is scale/√fan-out of their layer, > 0",
      alignmentEvery: ALIGNMENT_EVERY_HELP,
    },
    create: (options = {}) => fa(options as FeedbackOptions),
  },
  {
    name: "fa/sign-symmetry",
    summary: "every layer's error sent down through the signs of the weights, with a fixed magnitude",
    paper: 'Liao, Leibo and Poggio, "How important is weight symmetry in backpropagation?", AAAI 2016',
    citation: "Liao et al. 2016",
    defaults: { scale: 1, magnitude: "uniform", alignmentEvery: 20 },
    split: "before-output",
    optionNames: ["scale", "magnitude", "alignmentEvery"],
    optionHelp: {
      scale:
        "scale of the feedback magnitudes, > 0: with uniform magnitudes each is scale/√fan-out of its layer, " +
        "and with batch-random ones that is the standard deviation of the normal draws whose absolute values they are",
      magnitude: "magnitudes of the feedback: uniform gives one fixed magnitude per layer, and batch-random draws new ones every batch",
      alignmentEvery: ALIGNMENT_EVERY_HELP,
    },
    create: (options = {}) => signSymmetry(options as SignSymmetryOptions),
  },
  {
    name: "fa/dfa",
    summary: "the output error sent to every hidden layer through a fixed random matrix of its own",
    paper: 'Nøkland, "Direct feedback alignment provides learning in deep neural networks", NIPS 2016',
    citation: "Nøkland 2016",
    defaults: { scale: 1, alignmentEvery: 20 },
    split: "before-output",
    optionNames: ["scale", "alignmentEvery"],
    optionHelp: {
      scale: "scale of the fixed random feedback matrices, whose standard deviation is scale/√(output units of the model), > 0",
      alignmentEvery: ALIGNMENT_EVERY_HELP,
    },
    create: (options = {}) => dfa(options as FeedbackOptions),
  },
];
