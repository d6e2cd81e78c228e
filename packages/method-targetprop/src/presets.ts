/**
 * Presets: every Target Propagation scheme by name, with its defaults and
 * the paper that proposed it. The CLI lists these.
 */
import type { TrainingMethod } from "@modular/nn";
import { ddtp, drl, dtp, tp, type TargetPropOptions } from "./targetprop.js";

/** Options of a preset's factory, by name, as read from a JSON file or the command line. */
export type PresetOptions = Readonly<Record<string, unknown>>;

export interface TargetPropPreset {
  /** The method name, e.g. "targetprop/dtp". */
  readonly name: string;
  /** The signal each module trains on, in one line. */
  readonly summary: string;
  /** Full citation of the paper that proposed the scheme. */
  readonly paper: string;
  /** Short citation (authors and year) for one-line lists. */
  readonly citation: string;
  /** The defaults, as the options object the factory receives. */
  readonly defaults: Readonly<Record<string, number | string>>;
  /** Target Propagation trains one module per block. */
  readonly split: "every-block";
  /** Names of the options the factory takes, for checking user input such as `modular train --config`. */
  readonly optionNames: readonly string[];
  /**
   * One line per name of `optionNames`: what the option sets, with its unit
   * or valid range, and its default when `defaults` has none.
   */
  readonly optionHelp: Readonly<Record<string, string>>;
  /**
   * Creates the method with `options` over the defaults. The factory checks
   * each value and throws `ConfigError` naming an invalid one, but it ignores
   * names outside `optionNames`, so check those first.
   */
  create(options?: PresetOptions): TrainingMethod;
}

const LEE =
  'Lee, Zhang, Fischer and Bengio, "Difference target propagation", ECML/PKDD 2015';
const MEULEMANS =
  'Meulemans, Carzaniga, Suykens, Sacramento and Grewe, "A theoretical framework for target propagation", NeurIPS 2020';
const OPTION_NAMES = ["outputStep", "noise", "feedbackEpochs", "inverseActivation", "alignmentEvery", "feedbackHidden"];
const DEFAULTS = { outputStep: 0.1, noise: 0.1, feedbackEpochs: 1, inverseActivation: "linear", alignmentEvery: 20 };

/**
 * Help of the options every scheme shares. `feedback` names what carries the
 * targets down: the layer-wise inverses, or the direct feedback maps of DDTP.
 */
function sharedHelp(feedback: string): Readonly<Record<string, string>> {
  return {
    outputStep:
      "step size of the output target, > 0: the last module's target is its output minus outputStep × the gradient " +
      "of the sample's loss with respect to that output",
    noise:
      `standard deviation of the Gaussian noise in the reconstruction loss of the ${feedback}, ≥ 0: ` +
      "one number, or a list with one per module above the first, from the bottom up",
    feedbackEpochs: `epochs of a first phase that trains only the ${feedback}, integer ≥ 0, where 0 skips it`,
    inverseActivation: `nonlinearity at the end of each of the ${feedback}: relu, tanh, sigmoid or linear`,
    alignmentEvery:
      "steps between measurements of the angle in degrees between each training module's update and the true backprop gradient, " +
      "integer ≥ 0, where 0 turns them off",
  };
}

/** Help of the schemes with layer-wise inverses, which reject any `feedbackHidden` other than 0. */
const INVERSE_HELP = {
  ...sharedHelp("inverses"),
  feedbackHidden: "must be 0, because only targetprop/ddtp has feedback maps with a random hidden layer (default 0)",
};

export const TARGETPROP_PRESETS: readonly TargetPropPreset[] = [
  {
    name: "targetprop/tp",
    summary: "each layer regresses toward a target sent down through learned inverses",
    paper: LEE,
    citation: "Lee et al. 2015",
    defaults: { ...DEFAULTS, outputStep: 10 },
    split: "every-block",
    optionNames: OPTION_NAMES,
    optionHelp: INVERSE_HELP,
    create: (options = {}) => tp(options as TargetPropOptions),
  },
  {
    name: "targetprop/dtp",
    summary: "each layer regresses toward a difference-corrected target from learned inverses",
    paper: LEE,
    citation: "Lee et al. 2015",
    defaults: DEFAULTS,
    split: "every-block",
    optionNames: OPTION_NAMES,
    optionHelp: INVERSE_HELP,
    create: (options = {}) => dtp(options as TargetPropOptions),
  },
  {
    name: "targetprop/drl",
    summary: "difference target propagation with inverses trained on the difference reconstruction loss",
    paper: MEULEMANS,
    citation: "Meulemans et al. 2020",
    defaults: DEFAULTS,
    split: "every-block",
    optionNames: OPTION_NAMES,
    optionHelp: INVERSE_HELP,
    create: (options = {}) => drl(options as TargetPropOptions),
  },
  {
    name: "targetprop/ddtp",
    summary: "each layer regresses toward a difference-corrected target from linear feedback maps of the output",
    paper: MEULEMANS,
    citation: "Meulemans et al. 2020",
    defaults: DEFAULTS,
    split: "every-block",
    optionNames: OPTION_NAMES,
    optionHelp: {
      ...sharedHelp("direct feedback maps"),
      feedbackHidden:
        "units of a fixed random tanh layer shared by the feedback maps, integer ≥ 0, where 0 gives linear maps " +
        "and a value > 0 makes this targetprop/ddtp-rhl (default 0)",
    },
    create: (options = {}) => ddtp(options as TargetPropOptions),
  },
  {
    name: "targetprop/ddtp-rhl",
    summary: "direct difference target propagation whose feedback maps share a fixed random tanh layer of 1,024 units",
    paper: MEULEMANS,
    citation: "Meulemans et al. 2020",
    defaults: { ...DEFAULTS, feedbackHidden: 1024 },
    split: "every-block",
    optionNames: OPTION_NAMES,
    optionHelp: {
      ...sharedHelp("direct feedback maps"),
      feedbackHidden: "units of the fixed random tanh layer shared by the feedback maps, integer ≥ 0, where 0 gives the linear maps of targetprop/ddtp",
    },
    create: (options = {}) => ddtp({ feedbackHidden: 1024, ...(options as TargetPropOptions) }),
  },
];
