/**
 * `@modular/method-targetprop`: Target Propagation schemes. Every module
 * updates from one end-to-end forward pass, by regressing its output toward
 * a target that learned inverses send down from the output, so no gradient
 * crosses a module boundary.
 */
export { ConvInverse, type ConvInverseOptions, inverseOf } from "./conv-inverse.js";
export { RandomFeedbackLayer, RandomHiddenFeedback } from "./direct-feedback.js";
export { activationLayer, INVERSE_ACTIVATIONS, type InverseActivation, InverseLayer, type InverseLayerOptions } from "./inverse.js";
export { type PresetOptions, TARGETPROP_PRESETS, type TargetPropPreset } from "./presets.js";
export { ddtp, drl, dtp, inverseLoss, type Reconstruction, type TargetPropOptions, tp } from "./targetprop.js";
export { outputTarget, propagateTarget, regressionLoss, type TargetRule } from "./targets.js";
