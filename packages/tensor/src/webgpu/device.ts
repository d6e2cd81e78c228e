/**
 * WebGPU device creation: `navigator.gpu` in browsers, Dawn through the
 * `webgpu` npm package in Node.js. The package is imported dynamically and
 * only when `navigator.gpu` is missing, so browser bundles and the core entry
 * never load Node.js modules.
 */
/// <reference types="@webgpu/types" />
import { BackendError } from "../errors.js";

/** The device limits the backend reads; each is requested at the adapter's maximum. */
export const REQUESTED_LIMITS = [
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeWorkgroupsPerDimension",
  "maxStorageBuffersPerShaderStage",
  "maxComputeWorkgroupStorageSize",
  "maxComputeInvocationsPerWorkgroup",
  "minStorageBufferOffsetAlignment",
] as const;

export type LimitName = (typeof REQUESTED_LIMITS)[number];

export type DeviceLimits = Readonly<Record<LimitName, number>>;

/** A device and what the backend needs to know about it. */
export interface WebGpuContext {
  /**
   * The entry point and adapter the device came from. Holding them matters in
   * Node.js: once Dawn's instance is garbage-collected, the device's next
   * command crashes the process (seen with `webgpu` 0.6.2).
   */
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly limits: DeviceLimits;
  /** Adapter vendor and architecture, as the adapter reports them (may be empty). */
  readonly adapterDescription: string;
  /** True for a software adapter (lavapipe, SwiftShader), judged from the adapter's info. */
  readonly isFallbackAdapter: boolean;
}

export interface WebGpuDeviceOptions {
  readonly powerPreference?: GPUPowerPreference;
}

/** The hint every "no adapter" error carries, because the common cause on Linux is a missing Vulkan driver. */
export const ADAPTER_INSTALL_HINT =
  "On Debian 12 without a GPU, install Mesa's lavapipe (mesa-vulkan-drivers from bookworm-backports; " +
  "./scripts/setup.sh does this) and set VK_ICD_FILENAMES=/usr/share/vulkan/icd.d/lvp_icd.json.";

/** Find the `GPU` entry point: `navigator.gpu`, or Dawn's through the `webgpu` package. */
async function findGpu(): Promise<GPU> {
  const navigatorGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (navigatorGpu !== undefined) return navigatorGpu;

  let dawn: { create(options: string[]): GPU; globals: object };
  try {
    dawn = (await import("webgpu")) as typeof dawn;
  } catch (error) {
    throw new BackendError(
      `WebGPU is not available: navigator.gpu is missing and the "webgpu" package failed to load ` +
        `(${String(error)}). Install it with "pnpm add webgpu" in Node.js.`,
    );
  }
  // Dawn's GPUBufferUsage and similar constants are read as globals by WebGPU code.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  return dawn.create([]);
}

/** Request an adapter and a device with the adapter's maximum of each limit in `REQUESTED_LIMITS`. */
export async function createWebGpuContext(options: WebGpuDeviceOptions = {}): Promise<WebGpuContext> {
  const gpu = await findGpu();
  const adapter = await gpu.requestAdapter(
    options.powerPreference === undefined ? {} : { powerPreference: options.powerPreference },
  );
  if (adapter === null) {
    throw new BackendError(`No WebGPU adapter was found. ${ADAPTER_INSTALL_HINT}`);
  }

  const requiredLimits: Record<string, number> = {};
  for (const name of REQUESTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({ requiredLimits });

  const limits = {} as Record<LimitName, number>;
  for (const name of REQUESTED_LIMITS) limits[name] = device.limits[name];

  const info = adapter.info;
  const adapterDescription = [info.vendor, info.architecture, info.device, info.description]
    .filter((part) => part !== undefined && part !== "")
    .join(" ");
  const isFallbackAdapter =
    (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    /llvmpipe|lavapipe|swiftshader/i.test(adapterDescription);
  return { gpu, adapter, device, limits, adapterDescription, isFallbackAdapter };
}
