/**
 * `@modular/nn`: modules, layers, losses, optimizers, learning-rate
 * schedules, model builders, splitting into training modules, checkpoints
 * as bytes, the `TrainingMethod` contract, the runner, and end-to-end
 * backprop as the baseline method. The Node.js entry (`node` export
 * condition) adds checkpoint files on disk.
 */
export { LeakyReLU } from "./activations.js";
export {
  AlignmentMeter,
  alignmentAngle,
  angleFromDots,
  type ParameterGroup,
  parameterGroups,
  recordModuleAlignment,
  trueGradients,
  ZERO_VECTOR_ANGLE,
} from "./alignment.js";
export { backprop } from "./backprop.js";
export {
  ACTIVATIONS,
  type Activation,
  buildModel,
  buildPart,
  MODEL_KINDS,
  type MlpSpec,
  mlp,
  Model,
  ModelPart,
  type ModelSpec,
  split,
  splitBeforeOutput,
  splitEveryBlock,
} from "./builders.js";
export { type CnnSpec, cnn, type ResNetSpec, resnet, type VggSpec, vgg } from "./conv-builders.js";
export {
  type CheckpointContents,
  type CheckpointFiles,
  decodeCheckpoint,
  type DecodedCheckpoint,
  encodeCheckpoint,
  loadAuxiliaryModules,
  loadModule,
  MODEL_SPEC_FILE,
  moduleFileName,
  moduleTensors,
  OPTIMIZER_STATE_FILE,
  runParameterNames,
  serializeModule,
  TRAINING_STATE_FILE,
  type PartialEpoch,
  type TrainingState,
} from "./checkpoint.js";
export { Conv2d, type Conv2dLayerOptions, ConvTranspose2d, type ConvTranspose2dLayerOptions } from "./conv.js";
export { CheckpointFormatError, type CheckpointProblem } from "./checkpoint-errors.js";
export { type ClippedGradients, clipGradNorm } from "./clip.js";
export { Dropout, type DropoutOptions } from "./dropout.js";
export { ConfigError, NonFiniteLossError, TrainingInterruptedError } from "./errors.js";
export { evaluate, type EvaluateOptions, type EvaluationResult } from "./evaluate.js";
export type * from "./events.js";
export { INIT_NAMES, type InitName, type InitOptions, initTensor } from "./init.js";
export { Flatten, Linear, type LinearOptions, ReLU, Sigmoid, Tanh } from "./layers.js";
export { crossEntropy, mse } from "./losses.js";
export { classLabels, disposeBatch, MissingClassLabelsError, pairLabels, sameClassMatrix } from "./labels.js";
export type {
  Batch,
  BatchOptions,
  EpochReport,
  BatchSource,
  LabelKind,
  LabelledBatch,
  PairBatch,
  Phase,
  StepMetrics,
  TrainingContext,
  TrainingMethod,
} from "./method.js";
export { forwardThrough, Module, moduleOutputShapes, ModuleBuffer, NamedTensor, Parameter, Sequential } from "./module.js";
export { BatchNorm1d, BatchNorm2d, type BatchNormOptions } from "./normalization.js";
export {
  Adam,
  type AdamOptions,
  createOptimizer,
  type NamedParameter,
  OPTIMIZER_KINDS,
  type Optimizer,
  type OptimizerSpec,
  SGD,
  type SgdOptions,
} from "./optim.js";
export { Residual, type ResidualOptions } from "./residual.js";
export {
  AvgPool2d,
  AvgUnpool2d,
  GlobalAvgPool2d,
  MaxPool2d,
  type MaxPoolLayerOptions,
  MaxUnpool2d,
  type PoolLayerOptions,
} from "./pool.js";
export {
  type CheckpointOptions,
  type ResumeOptions,
  train,
  type TrainOptions,
  type TrainResult,
} from "./runner.js";
export { parseSafetensors, type SafetensorsContents, serializeSafetensors, type TensorData } from "./safetensors.js";
export {
  constantLr,
  type CosineLrOptions,
  cosineLr,
  linearWarmupLr,
  type LrSchedule,
  type ScheduleInterval,
  type ScheduleOptions,
  type StepLrOptions,
  stepLr,
  type WarmupCosineLrOptions,
  warmupCosineLr,
  type WarmupOptions,
  withWarmup,
} from "./schedule.js";
export { parametersOf, tapeFor } from "./tape.js";
