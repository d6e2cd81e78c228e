/**
 * Presets: every Synthetic Gradients scheme by name, with its defaults and
 * the paper that proposed it. The CLI lists these.
 */
import type { TrainingMethod } from "@modular/nn";
import { cdni, dni, type DniOptions } from "./dni.js";

/** Options of a preset's factory, by name, as read from a JSON file or the command line. */
export type PresetOptions = Readonly<Record<string, unknown>>;

/** The split a scheme uses: the two-module setting, or one module per block. */
export type SyngradSplit = "before-output" | "every-block";

export interface SyngradPreset {
  /** The method name, e.g. "syngrad/dni". */
  readonly name: string;
  /** The signal each module trains on, in one line. */
  readonly summary: string;
  /** Full citation of the paper that proposed the scheme. */
  readonly paper: string;
  /** Short citation (authors and year) for one-line lists. */
  readonly citation: string;
  /** The defaults, as the options object the factory receives. */
  readonly defaults: Readonly<Record<string, number | string>>;
  readonly split: SyngradSplit;
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

const JADERBERG =
  'Jaderberg, Czarnecki, Osindero, Vinyals, Graves, Silver and Kavukcuoglu, "Decoupled neural interfaces using synthetic gradients", ICML 2017';
const OPTION_NAMES = ["trueGradientEvery", "hiddenLayers", "width", "alignmentEvery", "alignmentPer"];
const DEFAULTS = { trueGradientEvery: 1, hiddenLayers: 0, width: 256, alignmentEvery: 20 };
const OPTION_HELP = {
  trueGradientEvery: "steps between true-gradient targets for the synthetic-gradient models, integer ≥ 1, where 1 is every step",
  hiddenLayers: "hidden ReLU layers of each synthetic-gradient model, integer ≥ 0, where 0 is a linear model",
  width: "units of each hidden layer of the synthetic-gradient models when hiddenLayers > 0, integer ≥ 1",
  alignmentEvery:
    "steps between measurements of the angle in degrees between each update and the true backprop gradient, " +
    "integer ≥ 0, where 0 turns them off",
  alignmentPer: "granularity of the alignment angle: module reports one per training module, and layer one per layer inside it (default module)",
};

export const SYNGRAD_PRESETS: readonly SyngradPreset[] = [
  {
    name: "syngrad/dni",
    summary: "each module on the VJP of a synthetic gradient predicted from its output",
    paper: JADERBERG,
    citation: "Jaderberg et al. 2017",
    defaults: DEFAULTS,
    split: "before-output",
    optionNames: OPTION_NAMES,
    optionHelp: OPTION_HELP,
    create: (options = {}) => dni(options as DniOptions),
  },
  {
    name: "syngrad/cdni",
    summary: "each module on the VJP of a synthetic gradient predicted from its output and the one-hot labels",
    paper: JADERBERG,
    citation: "Jaderberg et al. 2017",
    defaults: DEFAULTS,
    split: "before-output",
    optionNames: OPTION_NAMES,
    optionHelp: OPTION_HELP,
    create: (options = {}) => cdni(options as DniOptions),
  },
];
