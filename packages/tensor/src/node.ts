/**
 * `@modular/tensor` for Node.js, selected by the `node` export condition:
 * everything of the default entry, and the `webgpu` backend on Dawn (the
 * `webgpu` npm package) where `navigator.gpu` is missing. Importing this
 * entry installs that loader and registers no backend.
 */
import { loadDawnGpu } from "./webgpu/dawn.js";
import { setFallbackGpuLoader } from "./webgpu/device.js";

export * from "./index.js";

setFallbackGpuLoader(loadDawnGpu);
