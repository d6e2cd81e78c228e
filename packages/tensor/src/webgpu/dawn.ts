/**
 * Dawn, Chromium's WebGPU implementation, through the `webgpu` npm package:
 * the `GPU` entry point of the Node.js entry. Only `node.ts` imports this
 * file, so browser bundles never try to resolve the package.
 */
/// <reference types="@webgpu/types" />
import { BackendError } from "../errors.js";

/** Loads the `webgpu` package, installs its constants as globals, and returns its `GPU`. */
export async function loadDawnGpu(): Promise<GPU> {
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
