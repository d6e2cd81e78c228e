/**
 * The `toBeAllClose(expected, { rtol, atol })` matcher: element-wise
 * |received − expected| ≤ atol + rtol·|expected|, as NumPy's `allclose`.
 *
 * The received value is a tensor (read with `arraySync`), a number, a typed
 * array or nested arrays. The expected value is a number, a typed array or
 * nested arrays. Shapes must match, and NaN matches only NaN. Import this
 * file for its side effect.
 */
import type { Tensor } from "@modular/tensor";
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

function isTensor(value: unknown): value is Tensor {
  return typeof value === "object" && value !== null && (value as { isTensor?: boolean }).isTensor === true;
}

/** Flatten row-major, or return undefined for ragged or non-numeric input. */
function flatten(value: unknown): Flat | undefined {
  if (isTensor(value)) return flatten(value.arraySync());
  if (typeof value === "number") return { values: [value], shape: [] };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const values = Array.from(value as unknown as ArrayLike<number>);
    return { values, shape: [values.length] };
  }
  if (!Array.isArray(value)) return undefined;

  const parts = value.map(flatten);
  if (parts.some((part) => part === undefined)) return undefined;
  const flats = parts as Flat[];
  const inner = flats[0]?.shape ?? [];
  if (flats.some((part) => part.shape.join() !== inner.join())) return undefined;
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
    const got = flatten(received);
    const want = flatten(expected);
    if (got === undefined || want === undefined) {
      return { pass: false, message: () => "toBeAllClose: a value is not a tensor, a number or a regular array of numbers." };
    }
    if (got.shape.join() !== want.shape.join()) {
      return {
        pass: false,
        message: () => `expected shape [${want.shape.join(", ")}], but received shape [${got.shape.join(", ")}].`,
      };
    }

    const first = got.values.findIndex((value, i) => !isClose(value, want.values[i]!, rtol, atol));
    const pass = first < 0;
    return {
      pass,
      message: () =>
        pass
          ? `expected values not to be all close (rtol ${rtol}, atol ${atol}), but every element is.`
          : `elements differ beyond rtol ${rtol}, atol ${atol}; first at flat index ${first}: ` +
            `received ${got.values[first]}, expected ${want.values[first]}.`,
      actual: got.values,
      expected: want.values,
    };
  },
});
