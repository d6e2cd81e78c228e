/**
 * `@modular/method-proxy`: Proxy Objective schemes. Each hidden module is
 * trained on a local loss, with no end-to-end forward or backward pass.
 */
export { kernelProxy, type KernelProxyOptions } from "./kernel.js";
export {
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
