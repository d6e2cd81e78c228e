/**
 * The WebGPU adapter each target ran on. The suite confirms that our
 * `webgpu` backend and TensorFlow.js's ran on the same adapter by comparing
 * the `adapter.info` fields of both.
 */
/// <reference types="@webgpu/types" />

/** The fields of `GPUAdapterInfo` that identify an adapter. Empty strings where the adapter reports nothing. */
export interface AdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
}

export function summarizeAdapter(info: GPUAdapterInfo): AdapterSummary {
  return {
    vendor: info.vendor ?? "",
    architecture: info.architecture ?? "",
    device: info.device ?? "",
    description: info.description ?? "",
  };
}

/** Return one line for a report, such as "mesa software llvmpipe (LLVM 15.0.6, 256 bits)". */
export function formatAdapter(adapter: AdapterSummary): string {
  const parts = [adapter.vendor, adapter.architecture, adapter.device, adapter.description].filter((part) => part !== "");
  return parts.length === 0 ? "unknown adapter (adapter.info is empty)" : parts.join(" ");
}

export function sameAdapter(first: AdapterSummary, second: AdapterSummary): boolean {
  return (
    first.vendor === second.vendor &&
    first.architecture === second.architecture &&
    first.device === second.device &&
    first.description === second.description
  );
}

/**
 * Run `body` while every `gpu.requestAdapter` call is recorded, and return the
 * adapters handed out. TensorFlow.js requests its adapter inside
 * `tf.setBackend("webgpu")` and keeps only the vendor and architecture, so
 * this is how the suite learns the full `adapter.info` it ran on.
 */
export async function recordRequestedAdapters<T>(gpu: GPU, body: () => Promise<T>): Promise<{ result: T; adapters: GPUAdapter[] }> {
  const adapters: GPUAdapter[] = [];
  const original = gpu.requestAdapter;
  const ownProperty = Object.getOwnPropertyDescriptor(gpu, "requestAdapter");
  const recording = async (options?: GPURequestAdapterOptions): Promise<GPUAdapter | null> => {
    const adapter = await original.call(gpu, options);
    if (adapter !== null) adapters.push(adapter);
    return adapter;
  };
  // An own property shadows the prototype's method until it is removed again.
  Object.defineProperty(gpu, "requestAdapter", { value: recording, configurable: true, writable: true });
  try {
    return { result: await body(), adapters };
  } finally {
    if (ownProperty === undefined) delete (gpu as { requestAdapter?: unknown }).requestAdapter;
    else Object.defineProperty(gpu, "requestAdapter", ownProperty);
  }
}
