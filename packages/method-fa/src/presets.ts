/**
 * Presets: every Feedback Alignment scheme by name, with its defaults and
 * the paper that proposed it. The CLI lists these.
 */
import type { TrainingMethod } from "@modular/nn";
import { dfa, fa, signSymmetry } from "./methods.js";

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
  /** Create the method with the defaults. */
  create(): TrainingMethod;
}

export const FA_PRESETS: readonly FaPreset[] = [
  {
    name: "fa/fa",
    summary: "every layer's error sent down through a fixed random matrix instead of the transposed weights",
    paper:
      'Lillicrap, Cownden, Tweed and Akerman, "Random synaptic feedback weights support error backpropagation for deep learning", Nature Communications 2016',
    citation: "Lillicrap et al. 2016",
    defaults: { scale: 1, alignmentEvery: 20 },
    create: () => fa(),
  },
  {
    name: "fa/sign-symmetry",
    summary: "every layer's error sent down through the signs of the weights, with a fixed magnitude",
    paper: 'Liao, Leibo and Poggio, "How important is weight symmetry in backpropagation?", AAAI 2016',
    citation: "Liao et al. 2016",
    defaults: { scale: 1, magnitude: "uniform", alignmentEvery: 20 },
    create: () => signSymmetry(),
  },
  {
    name: "fa/dfa",
    summary: "the output error sent to every hidden layer through a fixed random matrix of its own",
    paper: 'Nøkland, "Direct feedback alignment provides learning in deep neural networks", NIPS 2016',
    citation: "Nøkland 2016",
    defaults: { scale: 1, alignmentEvery: 20 },
    create: () => dfa(),
  },
];
