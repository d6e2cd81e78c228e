/**
 * Presets: every Synthetic Gradients scheme by name, with its defaults and
 * the paper that proposed it. The CLI lists these.
 */
import type { TrainingMethod } from "@modular/nn";
import { cdni, dni } from "./dni.js";

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
  /** Create the method with the defaults. */
  create(): TrainingMethod;
}

const JADERBERG =
  'Jaderberg, Czarnecki, Osindero, Vinyals, Graves, Silver and Kavukcuoglu, "Decoupled neural interfaces using synthetic gradients", ICML 2017';
const DEFAULTS = { trueGradientEvery: 1, hiddenLayers: 0, width: 256, alignmentEvery: 20 };

export const SYNGRAD_PRESETS: readonly SyngradPreset[] = [
  {
    name: "syngrad/dni",
    summary: "each module on the VJP of a synthetic gradient predicted from its output",
    paper: JADERBERG,
    citation: "Jaderberg et al. 2017",
    defaults: DEFAULTS,
    split: "before-output",
    create: () => dni(),
  },
  {
    name: "syngrad/cdni",
    summary: "each module on the VJP of a synthetic gradient predicted from its output and the one-hot labels",
    paper: JADERBERG,
    citation: "Jaderberg et al. 2017",
    defaults: DEFAULTS,
    split: "before-output",
    create: () => cdni(),
  },
];
