/**
 * Every training scheme the demo offers: `backprop`, then the presets of
 * each method package. A new family of schemes needs one line in `FAMILIES`
 * and the package in this app's dependencies. A scheme with a constraint in
 * the browser needs an entry in `REQUIREMENTS`.
 */
import { AUXVAR_PRESETS } from "@modular/method-auxvar";
import { FA_PRESETS } from "@modular/method-fa";
import { PROXY_PRESETS } from "@modular/method-proxy";
import { SYNGRAD_PRESETS } from "@modular/method-syngrad";
import { TARGETPROP_PRESETS } from "@modular/method-targetprop";
import { backprop, type Model, type Module, splitBeforeOutput, splitEveryBlock, type TrainingMethod } from "@modular/nn";

/** The fields of a method package's preset that the demo reads. */
interface Preset {
  readonly name: string;
  readonly summary: string;
  readonly citation: string;
  readonly split: "before-output" | "every-block";
  readonly models?: readonly string[];
  create(): TrainingMethod;
}

/** The method packages, one line each, by family name. */
const FAMILIES: readonly { readonly family: string; readonly presets: readonly Preset[] }[] = [
  { family: "Proxy Objective", presets: PROXY_PRESETS },
  { family: "Synthetic Gradients", presets: SYNGRAD_PRESETS },
  { family: "Target Propagation", presets: TARGETPROP_PRESETS },
  { family: "Feedback Alignment", presets: FA_PRESETS },
  { family: "Auxiliary Variables", presets: AUXVAR_PRESETS },
];

/** Constraints of a scheme in the browser. */
export interface SchemeRequirements {
  /** The only backend the scheme trains on. */
  readonly backend?: "cpu";
  /** Needs `SharedArrayBuffer`, so the page must be cross-origin isolated (COOP and COEP headers). */
  readonly crossOriginIsolated?: boolean;
  /** Starts one Web Worker per training module, which the page starts before training (see `training-worker.ts`). */
  readonly moduleWorkers?: boolean;
  /** Why, in one sentence shown on the page. */
  readonly reason: string;
}

const REQUIREMENTS: Readonly<Record<string, SchemeRequirements>> = {
  "proxy/dgl-async": {
    backend: "cpu",
    crossOriginIsolated: true,
    moduleWorkers: true,
    reason:
      "Each module trains in its own Web Worker on the cpu backend, and the workers share their buffers through SharedArrayBuffer.",
  },
};

export interface SchemeEntry {
  /** The method name, e.g. "proxy/kernel". */
  readonly name: string;
  readonly family: string;
  /** One line: what trains each module, and the paper. */
  readonly description: string;
  readonly requirements?: SchemeRequirements;
  /** Models the scheme can train, e.g. ["mlp"]; undefined for every model. */
  readonly models?: readonly string[];
  create(): TrainingMethod;
  /** Cuts `model` into the training modules the scheme trains, in forward order. */
  split(model: Model): Module[];
}

export const SCHEMES: readonly SchemeEntry[] = [
  {
    name: "backprop",
    family: "Baseline",
    description: "end-to-end backpropagation through the whole model",
    create: () => backprop(),
    split: splitBeforeOutput,
  },
  ...FAMILIES.flatMap(({ family, presets }) =>
    presets.map((preset): SchemeEntry => {
      const requirements = REQUIREMENTS[preset.name];
      return {
        name: preset.name,
        family,
        description: `${preset.summary} (${preset.citation})`,
        ...(requirements === undefined ? {} : { requirements }),
        ...(preset.models === undefined ? {} : { models: preset.models }),
        create: preset.create,
        split: preset.split === "before-output" ? splitBeforeOutput : splitEveryBlock,
      };
    }),
  ),
];

/** Returns the scheme named `name`. Throws, listing the valid names, for an unknown one. */
export function findScheme(name: string): SchemeEntry {
  const scheme = SCHEMES.find((entry) => entry.name === name);
  if (scheme === undefined) {
    throw new Error(`Unknown scheme "${name}". Valid schemes: ${SCHEMES.map((entry) => entry.name).join(", ")}.`);
  }
  return scheme;
}
