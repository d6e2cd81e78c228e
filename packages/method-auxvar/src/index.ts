/**
 * `@modular/method-auxvar`: Auxiliary Variables schemes. The pre-activations
 * and activations of every layer become variables of their own, and the
 * weights and those variables are updated block by block in closed form,
 * with no gradient at all.
 */
export { ADMM_LOSSES, admm, type AdmmLoss, type AdmmOptions, outputLoss, outputStep } from "./admm.js";
export { bcd, type BcdOptions } from "./bcd.js";
export { type DenseChain, denseChain } from "./chain.js";
export { AUXVAR_PRESETS, type AuxvarPreset } from "./presets.js";
export { type Anchor, leastSquaresWeights, reluProximal, solveActivations } from "./updates.js";
