/**
 * Training methods that `modular train --method` accepts. An entry builds the
 * `TrainingMethod` from its package with the user's options and cuts the
 * model into the training modules that method trains. A new scheme needs
 * one entry here.
 */
import { backprop, type Model, type Module, splitBeforeOutput, splitEveryBlock, type TrainingMethod } from "@modular/nn";
import { FA_PRESETS } from "@modular/method-fa";
import { AUXVAR_PRESETS } from "@modular/method-auxvar";
import { PROXY_PRESETS } from "@modular/method-proxy";
import { SYNGRAD_PRESETS } from "@modular/method-syngrad";
import { TARGETPROP_PRESETS } from "@modular/method-targetprop";
import type { RegistryEntry } from "./entry.js";

/** Default split of a method: before the output layer, or after every block. */
export type SplitName = "before-output" | "every-block";

export interface MethodEntry extends RegistryEntry {
  /** The scheme's family, e.g. "Proxy Objective". */
  readonly family: string;
  /** Full citation of the paper that proposed the scheme. */
  readonly paper: string;
  /** The options the factory uses when the user gives none. */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Names of every option the factory takes. */
  readonly optionNames: readonly string[];
  /** One line per name of `optionNames`: what the option sets, with its unit or valid range. */
  readonly optionHelp: Readonly<Record<string, string>>;
  /** The default split. */
  readonly splitName: SplitName;
  /** Model kinds (`--model`) the scheme can train; undefined for every kind. */
  readonly models?: readonly string[];
  /** Creates the method with `options` over its defaults; throws `ConfigError` naming an invalid value. */
  create(options?: Readonly<Record<string, unknown>>): TrainingMethod;
  /** Cuts `model` into the training modules the method trains, in forward order. */
  split(model: Model): Module[];
}

/** A preset as the method packages export them. */
interface Preset {
  readonly name: string;
  readonly summary: string;
  readonly paper: string;
  readonly citation: string;
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly optionNames: readonly string[];
  readonly optionHelp: Readonly<Record<string, string>>;
  readonly split: SplitName;
  readonly models?: readonly string[];
  create(options?: Readonly<Record<string, unknown>>): TrainingMethod;
}

function fromPreset(preset: Preset, family: string): MethodEntry {
  return {
    name: preset.name,
    description: `${preset.summary} (${preset.citation})`,
    family,
    paper: preset.paper,
    defaults: preset.defaults,
    optionNames: preset.optionNames,
    optionHelp: preset.optionHelp,
    splitName: preset.split,
    ...(preset.models !== undefined ? { models: preset.models } : {}),
    create: (options) => preset.create(options),
    split: preset.split === "before-output" ? splitBeforeOutput : splitEveryBlock,
  };
}

export const METHODS: readonly MethodEntry[] = [
  {
    name: "backprop",
    description: "end-to-end backpropagation through the whole model: the baseline",
    family: "end-to-end backpropagation (baseline)",
    paper: 'Rumelhart, Hinton and Williams, "Learning representations by back-propagating errors", Nature 1986',
    defaults: {},
    optionNames: [],
    optionHelp: {},
    splitName: "before-output",
    create: () => backprop(),
    split: splitBeforeOutput,
  },
  ...PROXY_PRESETS.map((preset) => fromPreset(preset, "Proxy Objective")),
  ...SYNGRAD_PRESETS.map((preset) => fromPreset(preset, "Synthetic Gradients")),
  ...TARGETPROP_PRESETS.map((preset) => fromPreset(preset, "Target Propagation")),
  ...FA_PRESETS.map((preset) => fromPreset(preset, "Feedback Alignment")),
  ...AUXVAR_PRESETS.map((preset) => fromPreset(preset, "Auxiliary Variables")),
];
