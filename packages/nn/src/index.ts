/**
 * `@modular/nn`: modules, layers, losses, optimizers, model builders,
 * splitting into training modules, the `TrainingMethod` contract, the
 * runner, and end-to-end backprop as the baseline method.
 */
export { backprop } from "./backprop.js";
export {
  ACTIVATIONS,
  type Activation,
  buildModel,
  MODEL_KINDS,
  type MlpSpec,
  mlp,
  Model,
  type ModelSpec,
  split,
  splitBeforeOutput,
} from "./builders.js";
export { ConfigError, NonFiniteLossError } from "./errors.js";
export { evaluate, type EvaluationResult } from "./evaluate.js";
export type * from "./events.js";
export { INIT_NAMES, type InitName, type InitOptions, initTensor } from "./init.js";
export { Flatten, Linear, type LinearOptions, ReLU, Sigmoid, Tanh } from "./layers.js";
export { crossEntropy, mse } from "./losses.js";
export type { Batch, BatchSource, Phase, StepMetrics, TrainingContext, TrainingMethod } from "./method.js";
export { forwardThrough, Module, Parameter, Sequential } from "./module.js";
export {
  Adam,
  type AdamOptions,
  createOptimizer,
  OPTIMIZER_KINDS,
  type Optimizer,
  type OptimizerSpec,
  SGD,
  type SgdOptions,
} from "./optim.js";
export { train, type TrainOptions, type TrainResult } from "./runner.js";
export { parametersOf, tapeFor } from "./tape.js";
