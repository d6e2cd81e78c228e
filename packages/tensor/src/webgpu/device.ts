/**
 * WebGPU device creation: `navigator.gpu` in browsers, and in Node.js the
 * `GPU` of the fallback loader that the Node.js entry (`node.ts`) installs,
 * Dawn through the `webgpu` npm package. This file never imports `webgpu`, so
 * the default entry and browser bundles never see Node.js modules.
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

/** Loader of the `GPU` entry point where `navigator.gpu` is missing. The Node.js entry sets Dawn's. */
let fallbackGpuLoader: (() => Promise<GPU>) | undefined;

/** Sets the loader that `createWebGpuContext` calls when `navigator.gpu` is missing. */
export function setFallbackGpuLoader(loader: () => Promise<GPU>): void {
  fallbackGpuLoader = loader;
}

/** Finds the `GPU` entry point: `navigator.gpu`, or the fallback loader's. */
async function findGpu(): Promise<GPU> {
  const navigatorGpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (navigatorGpu !== undefined) return navigatorGpu;

  if (fallbackGpuLoader === undefined) {
    throw new BackendError(
      "WebGPU is not available: navigator.gpu is missing, and the browser entry of @modular/tensor " +
        "was loaded, which does not load Dawn. In a browser, use one with WebGPU enabled. In Node.js, " +
        'import "@modular/tensor" under the `node` export condition (Node.js sets it by default; ' +
        "a bundler targeting Node.js needs platform node) and install the webgpu package.",
    );
  }
  return fallbackGpuLoader();
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
