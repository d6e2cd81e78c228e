/**
 * Harness of the layer suites that run once per backend, with that backend
 * active, and deterministic input data. The `webgpu` entry always runs:
 * without a WebGPU adapter its suite fails with an install hint rather than
 * skip. The file's backends are disposed after its last test, because a live
 * Dawn device keeps threads running that crash the worker process on exit.
 */
import { afterAll, beforeAll, describe } from "vitest";
import { disposeBackends, registerWebGpu, setBackend } from "@modular/tensor";

registerWebGpu();

export const BACKENDS: readonly string[] = ["cpu", "webgpu"];

afterAll(() => {
  disposeBackends();
});

/** Register the suite `title` once per backend, as "<title> [<backend>]". Later suites run on `cpu` again. */
export function describeOnBackends(title: string, body: (backend: string) => void): void {
  for (const backend of BACKENDS) {
    describe(`${title} [${backend}]`, () => {
      beforeAll(async () => {
        await setBackend(backend);
      });
      afterAll(async () => {
        await setBackend("cpu");
      });
      body(backend);
    });
  }
}

/**
 * `size` deterministic values in [low, high], rounded to float32, from a
 * linear congruential generator (the constants of Numerical Recipes), so
 * inputs do not depend on the library's own random ops.
 */
export function fixture(size: number, seed: number, low = -1, high = 1): number[] {
  let state = (seed * 2654435761) >>> 0;
  const out = new Array<number>(size);
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = Math.fround(low + ((high - low) * state) / 4294967296);
  }
  return out;
}
