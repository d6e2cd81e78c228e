/**
 * `@modular/tensor`: immutable tensors on pluggable backends.
 *
 * Ops are free functions (`add(a, b)`, `matmul(a, b, { transposeB: true })`).
 * The `cpu` backend is active by default; `setBackend` switches. Memory is
 * explicit: `tensor.dispose()`, or `tidy(fn)` to free every intermediate.
 */
export type {
  ArgReduceOp,
  Backend,
  BinaryOp,
  CompareOp,
  RandomDistribution,
  RandomKey,
  ReduceOp,
  Storage,
  TensorInfo,
  UnaryOp,
  Window2d,
} from "./backend.js";
export { CpuBackend } from "./cpu/cpu-backend.js";
export { allocTypedArray, type DType, type TypedArray } from "./dtype.js";
export {
  addOpListener,
  disposeBackends,
  emitOp,
  getBackend,
  keep,
  listBackends,
  memory,
  peakMemory,
  registerBackend,
  resetPeakMemory,
  setBackend,
  tidy,
  withoutRecording,
  type MemoryInfo,
  type OpListener,
  type OpRecord,
} from "./engine.js";
export { BackendError, DisposedTensorError, DTypeError, InvalidArgumentError, ShapeError } from "./errors.js";
export * from "./ops/conv.js";
export * from "./ops/creation.js";
export * from "./ops/elementwise.js";
export * from "./ops/layout.js";
export * from "./ops/linalg.js";
export * from "./ops/matmul.js";
export * from "./ops/pool.js";
export * from "./ops/reduce.js";
export { slidingExtent, type Size2d } from "./ops/window.js";
export { philoxBlock, philoxNormal, philoxUniform, randomKey, wordToUniform } from "./random/philox.js";
export {
  broadcastShapes,
  formatShape,
  normalizeAxes,
  normalizeAxis,
  reducedShape,
  type Shape,
  shapesEqual,
  sizeOf,
  stridesOf,
} from "./shape.js";
export { Tensor, type NestedArray } from "./tensor.js";
export { ADAPTER_INSTALL_HINT, type DeviceLimits, type WebGpuDeviceOptions } from "./webgpu/device.js";
export type { PoolStats } from "./webgpu/buffer-pool.js";
export { type AutoBackendOptions, createWebGpuBackend, registerAutoBackend, registerWebGpu } from "./webgpu/register.js";
export { WebGpuBackend, WebGpuDeviceError, type WebGpuStorage } from "./webgpu/webgpu-backend.js";
