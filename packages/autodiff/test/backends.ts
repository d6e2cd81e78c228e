/**
 * Harness of the suites that run once per backend: the backends, the tests
 * each excludes and why, and deterministic input data.
 *
 * `describeOnBackends(title, body)` registers the body's tests once per
 * backend, with that backend active. A test excluded on a backend is still
 * listed, as skipped with its reason.
 */
import { beforeAll, describe, test as vitestTest } from "vitest";
import { registerWebGpu, setBackend } from "@modular/tensor";

export interface BackendUnderTest {
  /** Name the backend is registered under, as passed to `setBackend`. */
  readonly name: string;
  /** Tests this backend does not pass, keyed by `"<suite> > <test>"`, each with a one-line reason. */
  readonly excluded: Readonly<Record<string, string>>;
}

registerWebGpu();

/**
 * Every backend the VJP suite runs on. A new backend adds its entry here. The
 * `webgpu` entry always runs: without a WebGPU adapter its suite fails with
 * an install hint rather than skip.
 */
export const BACKENDS: readonly BackendUnderTest[] = [
  { name: "cpu", excluded: {} },
  { name: "webgpu", excluded: {} },
];

export type BackendTest = (name: string, fn: () => void | Promise<void>) => void;

/** Register the suite `title` once per backend in `BACKENDS`. */
export function describeOnBackends(title: string, body: (test: BackendTest) => void): void {
  for (const backend of BACKENDS) {
    describe(`${title} [${backend.name}]`, () => {
      beforeAll(async () => {
        await setBackend(backend.name);
      });

      body((name, fn) => {
        const reason = backend.excluded[`${title} > ${name}`];
        if (reason === undefined) vitestTest(name, fn);
        else vitestTest.skip(`${name} (excluded on ${backend.name}: ${reason})`, fn);
      });
    });
  }
}

/**
 * `size` deterministic values in [low, high], rounded to float32. They come
 * from a linear congruential generator (the constants of Numerical Recipes),
 * so inputs do not depend on the library's own random ops.
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
