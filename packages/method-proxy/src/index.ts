/**
 * `@modular/method-proxy`: Proxy Objective schemes. Each hidden module is
 * trained on a local loss, with no end-to-end forward or backward pass.
 */
export { kernelProxy, type KernelProxyOptions } from "./kernel.js";
export {
  arccos,
  KERNEL_LOSS_NAMES,
  KERNEL_NAMES,
  type KernelLossName,
  type KernelLossOptions,
  type KernelName,
  kernelMatrix,
  kernelProxyLoss,
  normalizeRows,
  sameClassMatrix,
} from "./kernel-loss.js";
export {
  type LocalMethodOptions,
  localLossMethod,
  type LocalObjective,
  LOCAL_SCHEDULES,
  type LocalSchedule,
  type ObjectiveContext,
  type ObjectiveFactory,
} from "./local.js";
export {
  auxClassifierObjective,
  auxSimObjective,
  cascadeObjective,
  type ContrastiveOptions,
  contrastiveObjective,
  FeatureVector,
  infoNceLoss,
  fixedRandomObjective,
  infoProObjective,
  pairSimilarityMatchingLoss,
  predObjective,
  predSimObjective,
  similarityMatchingLoss,
  similarityMatrix,
  simObjective,
} from "./objectives.js";
export {
  type AuxClassifierOptions,
  auxClassifierProxy,
  auxSimProxy,
  cascadeProxy,
  contrastiveProxy,
  dglAsyncProxy,
  dglProxy,
  fixedRandomProxy,
  type InfoProOptions,
  infoProProxy,
  type LocalSchemeOptions,
  predProxy,
  type PredSimOptions,
  predSimProxy,
  simProxy,
} from "./schemes.js";
export { type PresetOptions, PROXY_PRESETS, type PresetSplit, type ProxyPreset } from "./presets.js";
export { averageRanks, spearmanCorrelation } from "./rank-correlation.js";
export {
  fitOutputLayer,
  type OutputFit,
  type OutputFitOptions,
  type TransferScore,
  type TransferScoreOptions,
  transferScore,
} from "./transfer.js";
export { type AsyncDglOptions, READ_MODES } from "./async/dgl-async.js";
export { type ReadMode, SharedBatchBuffer } from "./async/buffer.js";
export { setWorkerSpawner, type WorkerHandle, type WorkerSpawner } from "./async/spawn.js";
