/**
 * Presets: every Proxy Objective scheme by name, with the defaults it uses
 * and the paper that proposed the scheme. The CLI lists these, and a test trains each
 * on the embedded MNIST.
 */
import type { TrainingMethod } from "@modular/nn";
import { type KernelProxyOptions, kernelProxy } from "./kernel.js";
import {
  auxClassifierProxy,
  auxSimProxy,
  cascadeProxy,
  contrastiveProxy,
  dglAsyncProxy,
  dglProxy,
  fixedRandomProxy,
  infoProProxy,
  predProxy,
  predSimProxy,
  simProxy,
  type AuxClassifierOptions,
  type InfoProOptions,
  type LocalSchemeOptions,
  type PredSimOptions,
} from "./schemes.js";
import type { AsyncDglOptions } from "./async/dgl-async.js";
import type { ContrastiveOptions } from "./objectives.js";

/** Options of a preset's factory, by name, as read from a JSON file or the command line. */
export type PresetOptions = Readonly<Record<string, unknown>>;

/** The split a scheme uses: the two-module setting, or one module per block. */
export type PresetSplit = "before-output" | "every-block";

export interface ProxyPreset {
  /** The method name, e.g. "proxy/predsim". */
  readonly name: string;
  /** The loss of each hidden module, in one line. */
  readonly summary: string;
  /** Full citation of the paper that proposed the scheme. */
  readonly paper: string;
  /** Short citation (authors and year) for one-line lists. */
  readonly citation: string;
  /** The defaults, as the options object the factory receives. */
  readonly defaults: Readonly<Record<string, number | string>>;
  readonly split: PresetSplit;
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

/** Options of every scheme built on the local-loss runner (see `LocalSchemeOptions`). */
const LOCAL = ["schedule", "hiddenEpochs", "outputEpochs", "outputLr"] as const;

const OUTPUT_LR_HELP = "learning rate of the output module's optimizer, > 0 (default: 10 × the run's learning rate)";

/** Help of the `LOCAL` options. */
const LOCAL_HELP = {
  schedule:
    "how the modules take turns: greedy trains one module per phase, in order, and simultaneous steps every module " +
    "on its own loss at each step (default greedy)",
  hiddenEpochs: "epochs of each hidden-module phase of the greedy schedule, integer ≥ 1 (default: the run's epochs)",
  outputEpochs:
    "epochs of the output-module phase of the greedy schedule, integer ≥ 1 " +
    "(default: the run's epochs, raised on a labelled subset to reach 200 steps)",
  outputLr: OUTPUT_LR_HELP,
} as const;

/** Help of the auxiliary classifier's options of `proxy/aux-classifier`, `proxy/dgl` and `proxy/dgl-async`. */
const CLASSIFIER_HELP = {
  depth: "layers of each auxiliary classifier, integer from 1 to 3",
  width:
    "units of each hidden layer of the auxiliary classifier (depth ≥ 2) on vector outputs, integer ≥ 1, " +
    "unused on image outputs, whose hidden layers are 3×3 convolutions that keep the channels",
} as const;

const NOKLAND = 'Nøkland and Eidnes, "Training neural networks with local error signals", ICML 2019';
const BELILOVSKY_2019 = 'Belilovsky, Eickenberg and Oyallon, "Greedy layerwise learning can scale to ImageNet", ICML 2019';
const WANG = 'Wang, Ni, Song, Yang and Huang, "Revisiting locally supervised learning: an alternative to end-to-end training", ICLR 2021';

export const PROXY_PRESETS: readonly ProxyPreset[] = [
  {
    name: "proxy/kernel",
    summary: "kernel alignment with the pairwise labels, then the output layer on cross-entropy at 10× the rate",
    paper: 'Duan, Yu and Príncipe, "Modularizing deep learning via pairwise learning with kernels", IEEE TNNLS 2021',
    citation: "Duan et al. 2021",
    defaults: { kernel: "cosine", loss: "alignment", outputLrFactor: 10 },
    split: "before-output",
    optionNames: ["kernel", "loss", "sameClassWeight", "sigma", "hiddenEpochs", "outputEpochs", "outputLr", "outputLrFactor"],
    optionHelp: {
      kernel: "kernel on the unit-normalised features: cosine, gaussian or arccos",
      loss:
        "loss of the batch kernel matrix: alignment is 1 − its alignment with the ideal kernel of the labels, and pairwise " +
        "is the mean kernel value of different-class pairs plus a same-class term weighted by sameClassWeight",
      sameClassWeight:
        "weight of the pairwise loss's same-class term, the mean of 1 − kernel value over same-class pairs, ≥ 0, " +
        "where 0 keeps only the different-class term (default 1)",
      sigma: "bandwidth σ of the gaussian kernel, > 0, which the other kernels ignore (default 1)",
      hiddenEpochs: "epochs of each hidden-module phase, integer ≥ 1 (default: the run's epochs)",
      outputEpochs:
        "epochs of the output-module phase, integer ≥ 1 (default: the run's epochs, raised on a labelled subset to reach 200 steps)",
      outputLr: "learning rate of the output-module phase, > 0 (default: outputLrFactor × the run's learning rate)",
      outputLrFactor: "ratio of the output-module phase's learning rate to the run's learning rate when outputLr is not set, > 0",
    },
    create: (options = {}) => kernelProxy(options as KernelProxyOptions),
  },
  {
    name: "proxy/pred",
    summary: "cross-entropy of a zero-initialised linear classifier",
    paper: NOKLAND,
    citation: "Nøkland and Eidnes 2019",
    defaults: {},
    split: "every-block",
    optionNames: LOCAL,
    optionHelp: LOCAL_HELP,
    create: (options = {}) => predProxy(options as LocalSchemeOptions),
  },
  {
    name: "proxy/sim",
    summary: "similarity matching between the features and the one-hot labels",
    paper: NOKLAND,
    citation: "Nøkland and Eidnes 2019",
    defaults: {},
    split: "every-block",
    optionNames: LOCAL,
    optionHelp: LOCAL_HELP,
    create: (options = {}) => simProxy(options as LocalSchemeOptions),
  },
  {
    name: "proxy/predsim",
    summary: "(1 − beta)·pred + beta·sim",
    paper: NOKLAND,
    citation: "Nøkland and Eidnes 2019",
    defaults: { beta: 0.99 },
    split: "every-block",
    optionNames: [...LOCAL, "beta"],
    optionHelp: { ...LOCAL_HELP, beta: "weight of the sim term in (1 − beta)·pred + beta·sim, from 0 to 1" },
    create: (options = {}) => predSimProxy(options as PredSimOptions),
  },
  {
    name: "proxy/aux-classifier",
    summary: "cross-entropy of a trainable auxiliary classifier of depth k",
    paper: BELILOVSKY_2019,
    citation: "Belilovsky et al. 2019",
    defaults: { depth: 1, width: 256 },
    split: "every-block",
    optionNames: [...LOCAL, "depth", "width"],
    optionHelp: { ...LOCAL_HELP, ...CLASSIFIER_HELP },
    create: (options = {}) => auxClassifierProxy(options as AuxClassifierOptions),
  },
  {
    name: "proxy/fixed-random",
    summary: "cross-entropy of a fixed random linear classifier",
    paper: 'Mostafa, Ramesh and Cauwenberghs, "Deep supervised learning using local errors", Frontiers in Neuroscience 2018',
    citation: "Mostafa et al. 2018",
    defaults: {},
    split: "every-block",
    optionNames: LOCAL,
    optionHelp: LOCAL_HELP,
    create: (options = {}) => fixedRandomProxy(options as LocalSchemeOptions),
  },
  {
    name: "proxy/cascade",
    summary: "cross-entropy of a trainable two-layer fully connected classifier",
    paper: 'Marquez, Hare and Niranjan, "Deep cascade learning", IEEE TNNLS 2018',
    citation: "Marquez et al. 2018",
    defaults: { width: 128 },
    split: "every-block",
    optionNames: [...LOCAL, "width"],
    optionHelp: { ...LOCAL_HELP, width: "units of the hidden layer of each two-layer auxiliary classifier, integer ≥ 1" },
    create: (options = {}) => cascadeProxy(options as LocalSchemeOptions),
  },
  {
    name: "proxy/aux-sim",
    summary: "similarity matching on a two-layer projection head",
    paper: WANG,
    citation: "Wang et al. 2021",
    defaults: { dimension: 128 },
    split: "every-block",
    optionNames: [...LOCAL, "dimension"],
    optionHelp: { ...LOCAL_HELP, dimension: "units of both layers of the projection head that the similarity loss reads, integer ≥ 1" },
    create: (options = {}) => auxSimProxy(options as LocalSchemeOptions),
  },
  {
    name: "proxy/infopro",
    summary: "an auxiliary classifier's cross-entropy plus the reconstruction error of the input",
    paper: WANG,
    citation: "Wang et al. 2021",
    defaults: { reconstructionWeight: 1 },
    split: "every-block",
    optionNames: [...LOCAL, "reconstructionWeight"],
    optionHelp: {
      ...LOCAL_HELP,
      reconstructionWeight: "weight of the input reconstruction error (mean squared error of a linear decoder) in the loss, ≥ 0",
    },
    create: (options = {}) => infoProProxy(options as InfoProOptions),
  },
  {
    name: "proxy/dgl",
    summary: "every module at once from one forward pass, each on its auxiliary classifier",
    paper: 'Belilovsky, Eickenberg and Oyallon, "Decoupled greedy learning of CNNs", ICML 2020',
    citation: "Belilovsky et al. 2020",
    defaults: { depth: 1, width: 256, schedule: "simultaneous" },
    split: "every-block",
    optionNames: ["schedule", "outputLr", "depth", "width"],
    optionHelp: {
      schedule: "must be simultaneous, because DGL trains every module at once",
      outputLr: OUTPUT_LR_HELP,
      ...CLASSIFIER_HELP,
    },
    create: (options = {}) => dglProxy(options as AuxClassifierOptions),
  },
  {
    name: "proxy/dgl-async",
    summary: "every module at once in its own worker thread, reading its upstream module's outputs from a bounded buffer",
    paper: 'Belilovsky, Eickenberg and Oyallon, "Decoupled greedy learning of CNNs", ICML 2020',
    citation: "Belilovsky et al. 2020",
    defaults: { depth: 1, width: 256, capacity: 4, read: "fifo" },
    split: "every-block",
    optionNames: ["depth", "width", "outputLr", "capacity", "read"],
    optionHelp: {
      ...CLASSIFIER_HELP,
      outputLr: OUTPUT_LR_HELP,
      capacity: "batches each buffer between two modules holds, so the most steps a module can run ahead of the next, integer ≥ 1",
      read:
        "how each module after the first reads the outputs of the module before it: fifo reads each once, in order, " +
        "and replay draws one of the capacity newest at random",
    },
    create: (options = {}) => dglAsyncProxy(options as AuxClassifierOptions & AsyncDglOptions),
  },
  {
    name: "proxy/contrastive",
    summary: "InfoNCE between two views of the batch, without labels",
    paper: 'Löwe, O\'Connor and Veeling, "Putting an end to end-to-end: gradient-isolated learning of representations", NeurIPS 2019',
    citation: "Löwe et al. 2019",
    defaults: { dimension: 64, temperature: 0.1, dropProbability: 0.2 },
    split: "every-block",
    optionNames: [...LOCAL, "dimension", "temperature", "dropProbability"],
    optionHelp: {
      ...LOCAL_HELP,
      dimension: "units of both layers of the projection head that maps each view into the InfoNCE space, integer ≥ 1",
      temperature: "temperature that divides the cosine logits of the InfoNCE loss, > 0",
      dropProbability: "probability that an input element is zeroed in the second view, from 0 to 0.95",
    },
    create: (options = {}) => contrastiveProxy(options as LocalSchemeOptions & ContrastiveOptions),
  },
];
