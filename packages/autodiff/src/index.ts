/**
 * `@modular/autodiff`: module-scoped tapes. A gradient never crosses a
 * module boundary unless a scheme requests it with `watch` or injects a
 * signal with a `cotangent`.
 */
export { checkGradients, type GradCheckOptions, type GradCheckResult } from "./grad-check.js";
export { customVjp, type CustomBackward } from "./custom-vjp.js";
export { GradientError } from "./errors.js";
export { getVjp, registerVjp, type VjpContext, type VjpRule } from "./registry.js";
export { listVjps } from "./vjp/index.js";
export { Tape, type GradientOptions } from "./tape.js";
export { unbroadcast } from "./vjp/helpers.js";
