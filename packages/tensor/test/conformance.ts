/**
 * Harness of the op conformance suite: the backends it runs on, the tests
 * each backend excludes and why, and deterministic input data.
 *
 * Suite files call `describeConformance(title, body)`. The body registers
 * its tests through the `test` function it receives, once per backend, so
 * the same code runs unchanged on every backend. Tests read values with the
 * asynchronous `data()` and `array()`, which every backend offers. A test
 * excluded on a backend is still listed, as skipped with its reason.
 */
import { beforeAll, describe, expect, test as vitestTest } from "vitest";
import { registerWebGpu, setBackend } from "../src/index.js";

export interface BackendUnderTest {
  /** Name the backend is registered under, as passed to `setBackend`. */
  readonly name: string;
  /**
   * Tests this backend does not pass, keyed by `"<suite> > <test>"`, each
   * with a one-line reason.
   */
  readonly excluded: Readonly<Record<string, string>>;
}

registerWebGpu();

/**
 * Every backend the suite runs on. A new backend adds its entry here. The
 * `webgpu` entry always runs: without a WebGPU adapter its suites fail with
 * an install hint rather than skip.
 */
export const BACKENDS: readonly BackendUnderTest[] = [
  { name: "cpu", excluded: {} },
  { name: "webgpu", excluded: {} },
];

/** Titles of the conformance suites. Every exclusion key starts with one of them. */
export const SUITES = [
  "creation",
  "unary ops",
  "binary ops",
  "broadcasting",
  "comparisons and selection",
  "matmul",
  "linear algebra",
  "convolution",
  "pooling",
  "reductions",
  "softmax",
  "indexing",
  "layout",
  "random",
  "memory",
] as const;

export type SuiteTitle = (typeof SUITES)[number];

export type ConformanceTest = (name: string, fn: () => void | Promise<void>) => void;

/** Register the suite `title` once per backend in `BACKENDS`. */
export function describeConformance(
  title: SuiteTitle,
  body: (test: ConformanceTest, backend: BackendUnderTest) => void,
): void {
  for (const backend of BACKENDS) {
    describe(`${title} [${backend.name}]`, () => {
      beforeAll(async () => {
        await setBackend(backend.name);
      });

      const registered = new Set<string>();
      const test: ConformanceTest = (name, fn) => {
        registered.add(name);
        const reason = backend.excluded[`${title} > ${name}`];
        if (reason === undefined) vitestTest(name, fn);
        else vitestTest.skip(`${name} (excluded on ${backend.name}: ${reason})`, fn);
      };
      body(test, backend);

      // An exclusion that names no test would hide nothing and mislead readers.
      const prefix = `${title} > `;
      const stale = Object.keys(backend.excluded).filter(
        (key) => key.startsWith(prefix) && !registered.has(key.slice(prefix.length)),
      );
      if (stale.length > 0) {
        vitestTest("exclusions name existing tests", () => {
          expect(stale).toEqual([]);
        });
      }
    });
  }
}

/**
 * `size` deterministic values in [low, high], rounded to float32 so that a
 * reference computed from them uses exactly the values the tensor stores. They
 * come from a linear congruential generator (the constants of Numerical
 * Recipes), so inputs do not depend on the library's own random ops.
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

/** Product of the dimensions. */
export function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((acc, dim) => acc * dim, 1);
}
