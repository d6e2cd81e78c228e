/**
 * `@modular/method-fa`: Feedback Alignment schemes. Every layer updates
 * with its true local gradient for an error signal that reaches it through
 * fixed or sign-shared feedback weights instead of the transposed forward
 * weights: FA, sign symmetry and direct feedback alignment (DFA).
 */
export { FeedbackLayer, type FeedbackNetwork, type FeedbackRule, withFeedback } from "./convert.js";
export {
  directFeedback,
  FeedbackMatrices,
  type FeedbackScheme,
  randomFeedback,
  signFeedback,
  type SignMagnitude,
} from "./feedback.js";
export {
  conv2dWithFeedback,
  feedbackInputGradient,
  type InputGradient,
  linearWithFeedback,
  type WeightLayer,
} from "./feedback-ops.js";
export { dfa, fa, type FeedbackOptions, signSymmetry, type SignSymmetryOptions } from "./methods.js";
export { FA_PRESETS, type FaPreset } from "./presets.js";
