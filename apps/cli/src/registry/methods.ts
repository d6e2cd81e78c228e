/**
 * Training methods that `modular train --method` accepts. An entry builds the
 * `TrainingMethod` from its package and cuts the model into the training
 * modules that method trains. A new scheme needs one entry here.
 */
import { backprop, type Model, type Module, splitBeforeOutput, splitEveryBlock, type TrainingMethod } from "@modular/nn";
import {
  auxClassifierProxy,
  auxSimProxy,
  cascadeProxy,
  contrastiveProxy,
  dglProxy,
  fixedRandomProxy,
  infoProProxy,
  kernelProxy,
  predProxy,
  predSimProxy,
  simProxy,
} from "@modular/method-proxy";
import type { RegistryEntry } from "./entry.js";

export interface MethodEntry extends RegistryEntry {
  /** Creates the method with its default options. */
  create(): TrainingMethod;
  /** Cuts `model` into the training modules the method trains, in forward order. */
  split(model: Model): Module[];
}

export const METHODS: readonly MethodEntry[] = [
  {
    name: "backprop",
    description: "end-to-end backpropagation through the whole model: the baseline",
    create: () => backprop(),
    split: splitBeforeOutput,
  },
  {
    name: "proxy/kernel",
    description:
      "the hidden layers trained on the kernel proxy loss (Duan et al. 2019, 2021), then the output layer on cross-entropy",
    create: () => kernelProxy(),
    split: splitBeforeOutput,
  },
  {
    name: "proxy/pred",
    description: "each hidden module trained on a zero-initialised linear classifier's cross-entropy (Nøkland and Eidnes 2019)",
    create: () => predProxy(),
    split: splitEveryBlock,
  },
  {
    name: "proxy/sim",
    description: "each hidden module trained on similarity matching with the labels (Nøkland and Eidnes 2019)",
    create: () => simProxy(),
    split: splitEveryBlock,
  },
  {
    name: "proxy/predsim",
    description: "each hidden module trained on 0.01 pred + 0.99 sim (Nøkland and Eidnes 2019)",
    create: () => predSimProxy(),
    split: splitEveryBlock,
  },
  {
    name: "proxy/aux-classifier",
    description: "greedy layer-wise training with an auxiliary linear classifier per module (Belilovsky et al. 2019)",
    create: () => auxClassifierProxy(),
    split: splitEveryBlock,
  },
  {
    name: "proxy/fixed-random",
    description: "each hidden module trained through a fixed random classifier (Mostafa et al. 2018)",
    create: () => fixedRandomProxy(),
    split: splitEveryBlock,
  },
  {
    name: "proxy/cascade",
    description: "each hidden module trained with a two-layer auxiliary classifier (Marquez et al. 2018)",
    create: () => cascadeProxy(),
    split: splitEveryBlock,
  },
  {
    name: "proxy/aux-sim",
    description: "similarity matching on an auxiliary projection head per module (Wang et al. 2021)",
    create: () => auxSimProxy(),
    split: splitEveryBlock,
  },
  {
    name: "proxy/infopro",
    description: "auxiliary classifier plus input reconstruction per module (Wang et al. 2021)",
    create: () => infoProProxy(),
    split: splitEveryBlock,
  },
  {
    name: "proxy/dgl",
    description: "all modules at once, each on its auxiliary classifier, from one forward pass (Belilovsky et al. 2020)",
    create: () => dglProxy(),
    split: splitEveryBlock,
  },
  {
    name: "proxy/contrastive",
    description: "each hidden module trained without labels on InfoNCE between two views, Greedy InfoMax style (Löwe et al. 2019)",
    create: () => contrastiveProxy(),
    split: splitEveryBlock,
  },
];
