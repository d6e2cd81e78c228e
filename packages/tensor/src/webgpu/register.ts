/**
 * Registration of the `webgpu` backend. Importing this package registers
 * nothing (it has no side effects); call `registerWebGpu()` once at startup
 * to make `setBackend("webgpu")` available.
 */
import { registerBackend } from "../engine.js";
import { createWebGpuContext, type WebGpuDeviceOptions } from "./device.js";
import { WebGpuBackend } from "./webgpu-backend.js";

/** Create a `WebGpuBackend` on a new device. */
export async function createWebGpuBackend(options: WebGpuDeviceOptions = {}): Promise<WebGpuBackend> {
  return new WebGpuBackend(await createWebGpuContext(options));
}

/** Register the `webgpu` backend; the device is requested on the first `setBackend("webgpu")`. */
export function registerWebGpu(options: WebGpuDeviceOptions = {}): void {
  registerBackend("webgpu", () => createWebGpuBackend(options));
}
