/**
 * Registration of the `webgpu` and `auto` backends. Importing this package
 * registers nothing (it has no side effects). Call `registerWebGpu()` once
 * at startup to make `setBackend("webgpu")` available, and
 * `registerAutoBackend()` for `setBackend("auto")`.
 */
import type { Backend } from "../backend.js";
import { CpuBackend } from "../cpu/cpu-backend.js";
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

export interface AutoBackendOptions extends WebGpuDeviceOptions {
  /** Logger of the one line that names the backend `auto` picked and the reason (default `console.info`). */
  readonly log?: (message: string) => void;
}

/**
 * Register the `auto` backend: `webgpu` on a hardware adapter, `cpu`
 * otherwise. Software adapters (lavapipe, SwiftShader) are for testing and
 * are never picked, because they run slower than the cpu backend.
 */
export function registerAutoBackend(options: AutoBackendOptions = {}): void {
  const log = options.log ?? ((message: string) => console.info(message));
  registerBackend("auto", async (): Promise<Backend> => {
    let backend: WebGpuBackend;
    try {
      backend = await createWebGpuBackend(options);
    } catch (error) {
      log(`auto: picked cpu because WebGPU is not available (${(error as Error).message})`);
      return new CpuBackend();
    }
    if (backend.context.isFallbackAdapter) {
      log(`auto: picked cpu because the only WebGPU adapter is a software one (${backend.adapterDescription})`);
      backend.dispose();
      return new CpuBackend();
    }
    log(`auto: picked webgpu on the hardware adapter ${backend.adapterDescription}`);
    return backend;
  });
}
