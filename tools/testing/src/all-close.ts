/**
 * The `toBeAllClose(expected, { rtol, atol })` matcher: element-wise
 * |received − expected| ≤ atol + rtol·|expected|, as NumPy's `allclose`.
 *
 * Both sides are numbers, flat or nested arrays, or typed arrays. The
 * received side may also be a tensor on a backend with synchronous reads,
 * which the matcher reads with `arraySync`. Nested arrays must have the same shape. NaN
 * matches NaN, and an infinity matches only the same infinity. Import this
 * module for its side effect.
 */
import { expect } from "vitest";

export interface Tolerance {
  /** Relative tolerance. Default 1e-5. */
  readonly rtol?: number;
  /** Absolute tolerance. Default 1e-6. */
  readonly atol?: number;
}

/** A number, a typed array, or arrays of those nested to any depth. */
export type Numeric = number | ArrayLike<number> | readonly Numeric[];

declare module "vitest" {
  interface Matchers<T = any> {
    toBeAllClose(expected: Numeric, tolerance?: Tolerance): T;
  }
}

interface Flat {
  readonly values: number[];
  readonly shape: number[];
}

/** Structural check for a `@modular/tensor` tensor, so this package needs no runtime dependency on it. */
function isTensor(value: unknown): value is { arraySync(): unknown } {
  return typeof value === "object" && value !== null && (value as { isTensor?: boolean }).isTensor === true;
}

/** Flatten nested arrays row-major, or return a message naming the first ragged level. */
function flatten(value: unknown): Flat | string {
  if (isTensor(value)) return flatten(value.arraySync());
  if (typeof value === "number") return { values: [value], shape: [] };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const typed = value as unknown as ArrayLike<number>;
    return { values: Array.from(typed), shape: [typed.length] };
  }
  if (!Array.isArray(value)) return `${String(value)} is not a number or an array of numbers`;

  const parts = value.map(flatten);
  const failed = parts.find((part): part is string => typeof part === "string");
  if (failed !== undefined) return failed;
  const flats = parts as Flat[];
  const inner = flats[0]?.shape ?? [];
  if (flats.some((part) => part.shape.join(",") !== inner.join(","))) {
    return "the nested arrays are ragged";
  }
  return { values: flats.flatMap((part) => part.values), shape: [value.length, ...inner] };
}

function isClose(received: number, expected: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(received);
  if (!Number.isFinite(expected)) return received === expected;
  return Math.abs(received - expected) <= atol + rtol * Math.abs(expected);
}

expect.extend({
  toBeAllClose(received: unknown, expected: Numeric, tolerance: Tolerance = {}) {
    const rtol = tolerance.rtol ?? 1e-5;
    const atol = tolerance.atol ?? 1e-6;
    const receivedFlat = flatten(received);
    const expectedFlat = flatten(expected);
    if (typeof receivedFlat === "string" || typeof expectedFlat === "string") {
      const problem =
        typeof receivedFlat === "string" ? `received: ${receivedFlat}` : `expected: ${expectedFlat as string}`;
      return { pass: false, message: () => `toBeAllClose cannot compare the values (${problem}).` };
    }

    const receivedShape = `[${receivedFlat.shape.join(", ")}]`;
    const expectedShape = `[${expectedFlat.shape.join(", ")}]`;
    if (receivedShape !== expectedShape) {
      return {
        pass: false,
        message: () => `expected shape ${expectedShape}, but received shape ${receivedShape}.`,
        actual: received,
        expected,
      };
    }

    let mismatches = 0;
    let first = -1;
    let maxError = 0;
    receivedFlat.values.forEach((value, i) => {
      const target = expectedFlat.values[i]!;
      if (isClose(value, target, rtol, atol)) return;
      mismatches++;
      if (first < 0) first = i;
      const error = Math.abs(value - target);
      if (!(error <= maxError)) maxError = error;
    });

    const pass = mismatches === 0;
    return {
      pass,
      message: () =>
        pass
          ? `expected values not to be all close (rtol ${rtol}, atol ${atol}), but every element is.`
          : `${mismatches} of ${receivedFlat.values.length} elements differ beyond rtol ${rtol}, atol ${atol}. ` +
            `First at flat index ${first}: received ${receivedFlat.values[first]}, expected ${expectedFlat.values[first]}. ` +
            `Largest absolute error: ${maxError}.`,
      actual: received,
      expected,
    };
  },
});
