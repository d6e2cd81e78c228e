/**
 * The named Proxy Objective schemes built on `localLossMethod`. Each
 * function returns a `TrainingMethod` whose defaults follow the paper named
 * in its doc comment. Options override the schedule, epochs and output
 * learning rate.
 */
import type { TrainingMethod } from "@modular/nn";
import { ConfigError } from "@modular/nn";
import { type AsyncDglOptions, asyncDglMethod } from "./async/dgl-async.js";
import { checkPositive, type LocalSchedule, localLossMethod } from "./local.js";
import {
  auxClassifierObjective,
  auxSimObjective,
  cascadeObjective,
  type ContrastiveOptions,
  contrastiveObjective,
  fixedRandomObjective,
  infoProObjective,
  predObjective,
  predSimObjective,
  simObjective,
} from "./objectives.js";

/** Options every local-loss scheme takes. */
export interface LocalSchemeOptions {
  /** "greedy" (a phase per module, the default) or "simultaneous" (every module steps on its own loss each step). */
  readonly schedule?: LocalSchedule;
  /** Epochs of each greedy hidden-module phase. Default: the run's epochs. */
  readonly hiddenEpochs?: number;
  /** Epochs of the greedy output-module phase. Default: the run's epochs. */
  readonly outputEpochs?: number;
  /** Learning rate of the output module. Default: 10 × the run's rate. */
  readonly outputLr?: number;
}

function scheduleOptions(options: LocalSchemeOptions) {
  return {
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
    ...(options.hiddenEpochs === undefined ? {} : { hiddenEpochs: options.hiddenEpochs }),
    ...(options.outputEpochs === undefined ? {} : { outputEpochs: options.outputEpochs }),
    ...(options.outputLr === undefined ? {} : { outputLr: options.outputLr }),
  };
}

/** Throw `ConfigError` unless `value` is an integer in [min, max]. */
function checkInteger(method: string, name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${method}: ${name} ${value} is invalid; it must be an integer from ${min} to ${max}.`);
  }
}

/** Throw `ConfigError` unless `value` is a finite number in [min, max]. */
function checkRange(method: string, name: string, value: number, min: number, max: number): void {
  if (!(Number.isFinite(value) && value >= min && value <= max)) {
    throw new ConfigError(`${method}: ${name} ${value} is invalid; it must be a number from ${min} to ${max}.`);
  }
}

/** `proxy/pred` (Nøkland and Eidnes 2019): a zero-initialised linear classifier's cross-entropy per module. */
export function predProxy(options: LocalSchemeOptions = {}): TrainingMethod {
  return localLossMethod({ name: "proxy/pred", lossLabel: "pred loss", objective: predObjective(), ...scheduleOptions(options) });
}

/** `proxy/sim` (Nøkland and Eidnes 2019): similarity matching between the features and the labels. */
export function simProxy(options: LocalSchemeOptions = {}): TrainingMethod {
  return localLossMethod({ name: "proxy/sim", lossLabel: "sim loss", objective: simObjective(), ...scheduleOptions(options) });
}

export interface PredSimOptions extends LocalSchemeOptions {
  /** Weight of the sim term; pred gets 1 − beta. Default 0.99, as in the paper. */
  readonly beta?: number;
}

/** `proxy/predsim` (Nøkland and Eidnes 2019): (1 − β)·pred + β·sim. */
export function predSimProxy(options: PredSimOptions = {}): TrainingMethod {
  const beta = options.beta ?? 0.99;
  checkRange("proxy/predsim", "beta", beta, 0, 1);
  return localLossMethod({
    name: "proxy/predsim",
    lossLabel: `pred+sim loss (beta ${beta})`,
    objective: predSimObjective(beta),
    ...scheduleOptions(options),
  });
}

export interface AuxClassifierOptions extends LocalSchemeOptions {
  /** Layers of the auxiliary classifier, 1 to 3. Default 1. */
  readonly depth?: number;
  /** Width of its hidden fully connected layers, on vector outputs. Default 256. On image outputs, hidden layers are 3×3 convolutions that keep the channels. */
  readonly width?: number;
}

/** `proxy/aux-classifier` (Belilovsky et al. 2019): greedy training with an auxiliary classifier of depth k. */
export function auxClassifierProxy(options: AuxClassifierOptions = {}): TrainingMethod {
  const depth = options.depth ?? 1;
  const width = options.width ?? 256;
  checkInteger("proxy/aux-classifier", "depth", depth, 1, 3);
  checkInteger("proxy/aux-classifier", "width", width, 1, Number.MAX_SAFE_INTEGER);
  return localLossMethod({
    name: "proxy/aux-classifier",
    lossLabel: `auxiliary classifier of depth ${depth}`,
    objective: auxClassifierObjective(depth, width),
    ...scheduleOptions(options),
  });
}

/** `proxy/fixed-random` (Mostafa et al. 2018): the cross-entropy of a fixed random classifier per module. */
export function fixedRandomProxy(options: LocalSchemeOptions = {}): TrainingMethod {
  return localLossMethod({
    name: "proxy/fixed-random",
    lossLabel: "fixed random classifier",
    objective: fixedRandomObjective(),
    ...scheduleOptions(options),
  });
}

/** `proxy/cascade` (Marquez et al. 2018): a trainable two-layer fully connected classifier per module. */
export function cascadeProxy(options: LocalSchemeOptions & { readonly width?: number } = {}): TrainingMethod {
  const width = options.width ?? 128;
  checkInteger("proxy/cascade", "width", width, 1, Number.MAX_SAFE_INTEGER);
  return localLossMethod({
    name: "proxy/cascade",
    lossLabel: "two-layer auxiliary classifier",
    objective: cascadeObjective(width),
    ...scheduleOptions(options),
  });
}

/** `proxy/aux-sim` (Wang et al. 2021): similarity matching on an auxiliary projection network. */
export function auxSimProxy(options: LocalSchemeOptions & { readonly dimension?: number } = {}): TrainingMethod {
  const dimension = options.dimension ?? 128;
  checkInteger("proxy/aux-sim", "dimension", dimension, 1, Number.MAX_SAFE_INTEGER);
  return localLossMethod({
    name: "proxy/aux-sim",
    lossLabel: "similarity on a projection head",
    objective: auxSimObjective(dimension),
    ...scheduleOptions(options),
  });
}

export interface InfoProOptions extends LocalSchemeOptions {
  /** Weight of the reconstruction term. Default 1. */
  readonly reconstructionWeight?: number;
}

/** `proxy/infopro` (Wang et al. 2021): an auxiliary classifier's cross-entropy plus a reconstruction term. */
export function infoProProxy(options: InfoProOptions = {}): TrainingMethod {
  const weight = options.reconstructionWeight ?? 1;
  checkRange("proxy/infopro", "reconstructionWeight", weight, 0, Number.MAX_VALUE);
  return localLossMethod({
    name: "proxy/infopro",
    lossLabel: `auxiliary classifier + ${weight} × reconstruction`,
    objective: infoProObjective(auxClassifierObjective(1), weight),
    ...scheduleOptions(options),
  });
}

/**
 * `proxy/dgl` (Belilovsky, Eickenberg and Oyallon, "Decoupled greedy
 * learning of CNNs", ICML 2020), synchronous: one forward pass per step, and
 * every module steps on its own auxiliary classifier's loss.
 */
export function dglProxy(options: Omit<AuxClassifierOptions, "schedule"> = {}): TrainingMethod {
  // Options read from JSON may carry a schedule, and DGL is simultaneous by definition.
  const schedule = (options as AuxClassifierOptions).schedule;
  if (schedule !== undefined && schedule !== "simultaneous") {
    throw new ConfigError(`proxy/dgl: schedule "${schedule}" is invalid; DGL trains every module at once, so it must be "simultaneous".`);
  }
  // Every module trains for the run's epochs in one phase, so per-phase epochs would be ignored.
  for (const name of ["hiddenEpochs", "outputEpochs"] as const) {
    if ((options as AuxClassifierOptions)[name] !== undefined) {
      throw new ConfigError(`proxy/dgl: ${name} is not supported, because DGL trains every module at once for the run's epochs; leave it out.`);
    }
  }
  const depth = options.depth ?? 1;
  checkInteger("proxy/dgl", "depth", depth, 1, 3);
  checkInteger("proxy/dgl", "width", options.width ?? 256, 1, Number.MAX_SAFE_INTEGER);
  return localLossMethod({
    name: "proxy/dgl",
    lossLabel: `auxiliary classifier of depth ${depth}`,
    objective: auxClassifierObjective(depth, options.width ?? 256),
    ...scheduleOptions(options),
    schedule: "simultaneous",
  });
}

/**
 * `proxy/contrastive`: each hidden module trained without labels on an
 * InfoNCE loss between two views of the batch, in the style of Greedy
 * InfoMax (Löwe et al. 2019); the output layer then trains on the labels.
 */
export function contrastiveProxy(options: LocalSchemeOptions & ContrastiveOptions = {}): TrainingMethod {
  const temperature = options.temperature ?? 0.1;
  const drop = options.dropProbability ?? 0.2;
  checkRange("proxy/contrastive", "temperature", temperature, Number.MIN_VALUE, Number.MAX_VALUE);
  checkRange("proxy/contrastive", "dropProbability", drop, 0, 0.95);
  checkInteger("proxy/contrastive", "dimension", options.dimension ?? 64, 1, Number.MAX_SAFE_INTEGER);
  return localLossMethod({
    name: "proxy/contrastive",
    lossLabel: "InfoNCE between two views",
    objective: contrastiveObjective({ ...options, temperature, dropProbability: drop }),
    ...scheduleOptions(options),
  });
}

/**
 * `proxy/dgl-async` (Belilovsky, Eickenberg and Oyallon 2020), asynchronous:
 * each module trains in its own worker thread on its auxiliary classifier.
 * It reads the outputs of its upstream module from a bounded buffer, in
 * order by default, or drawn as from a replay buffer with `read: "replay"`.
 * Needs the package's `node` entry on Node.js (loaded through the package
 * name) or Web Workers in browsers. See `asyncDglMethod` for the limits.
 */
export function dglAsyncProxy(options: Pick<AuxClassifierOptions, "depth" | "width" | "outputLr"> & AsyncDglOptions = {}): TrainingMethod {
  const depth = options.depth ?? 1;
  checkInteger("proxy/dgl-async", "depth", depth, 1, 3);
  checkInteger("proxy/dgl-async", "width", options.width ?? 256, 1, Number.MAX_SAFE_INTEGER);
  checkPositive("proxy/dgl-async", "outputLr", options.outputLr);
  return asyncDglMethod({
    ...options,
    name: "proxy/dgl-async",
    head: { depth, width: options.width ?? 256 },
  });
}
