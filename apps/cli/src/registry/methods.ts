/**
 * Training methods that `modular train --method` accepts. An entry builds the
 * `TrainingMethod` from its package and cuts the model into the training
 * modules that method trains. A new scheme needs one entry here.
 */
import { backprop, type Model, type Module, splitBeforeOutput, splitEveryBlock, type TrainingMethod } from "@modular/nn";
import { AUXVAR_PRESETS } from "@modular/method-auxvar";
import { PROXY_PRESETS } from "@modular/method-proxy";
import { SYNGRAD_PRESETS } from "@modular/method-syngrad";
import { TARGETPROP_PRESETS } from "@modular/method-targetprop";
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
  ...PROXY_PRESETS.map((preset) => ({
    name: preset.name,
    description: `${preset.summary} (${preset.citation})`,
    create: preset.create,
    split: preset.split === "before-output" ? splitBeforeOutput : splitEveryBlock,
  })),
  ...SYNGRAD_PRESETS.map((preset) => ({
    name: preset.name,
    description: `${preset.summary} (${preset.citation})`,
    create: preset.create,
    split: preset.split === "before-output" ? splitBeforeOutput : splitEveryBlock,
  })),
  ...TARGETPROP_PRESETS.map((preset) => ({
    name: preset.name,
    description: `${preset.summary} (${preset.citation})`,
    create: preset.create,
    split: splitEveryBlock,
  })),
  ...AUXVAR_PRESETS.map((preset) => ({
    name: preset.name,
    description: `${preset.summary} (${preset.citation})`,
    create: preset.create,
    split: splitBeforeOutput,
  })),
];
