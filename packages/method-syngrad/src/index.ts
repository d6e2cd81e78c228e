/**
 * `@modular/method-syngrad`: Synthetic Gradients schemes. Every module
 * updates from one end-to-end forward pass, on a gradient predicted at its
 * output boundary instead of one backpropagated through the modules above.
 */
export { cdni, dni, type DniOptions } from "./dni.js";
export {
  cotangentOf,
  forwardModules,
  type ModuleForward,
  type ModuleGradients,
  moduleGradients,
  predictSyntheticGradient,
  regressSyntheticGradient,
  syntheticGradientLoss,
} from "./dni-step.js";
export { type PresetOptions, SYNGRAD_PRESETS, type SyngradPreset, type SyngradSplit } from "./presets.js";
export { SyntheticGradientModel, type SyntheticGradientModelOptions } from "./synthetic-gradient-model.js";
