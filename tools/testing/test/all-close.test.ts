/** The `toBeAllClose` matcher itself: it must reject what it is there to catch. */
import { describe, expect, test } from "vitest";
import "../src/all-close.js";

describe("toBeAllClose", () => {
  test("accepts values within tolerance", () => {
    expect([1, 2.000001]).toBeAllClose([1, 2]);
    expect(new Float32Array([0.1])).toBeAllClose([0.1]);
    expect(101).toBeAllClose(100, { rtol: 0.01, atol: 0 });
  });

  test("rejects values beyond tolerance", () => {
    expect(() => expect([1, 2.1]).toBeAllClose([1, 2])).toThrow(/1 of 2 elements differ.*flat index 1/);
    expect(() => expect(102).toBeAllClose(100, { rtol: 0.01, atol: 0 })).toThrow();
  });

  test("rejects a different shape", () => {
    expect(() => expect([[1, 2]]).toBeAllClose([1, 2])).toThrow(/expected shape \[2\], but received shape \[1, 2\]/);
    expect(() => expect([1, 2, 3]).toBeAllClose([1, 2])).toThrow(/shape/);
  });

  test("matches NaN only with NaN", () => {
    expect([Number.NaN]).toBeAllClose([Number.NaN]);
    expect(() => expect([0]).toBeAllClose([Number.NaN])).toThrow();
    expect(() => expect([Number.NaN]).toBeAllClose([0])).toThrow();
  });

  test("matches an infinity only with itself", () => {
    expect([Infinity, -Infinity]).toBeAllClose([Infinity, -Infinity]);
    expect(() => expect([Infinity]).toBeAllClose([-Infinity])).toThrow();
    expect(() => expect([3e38]).toBeAllClose([Infinity])).toThrow();
  });

  test("rejects ragged arrays", () => {
    expect(() => expect([[1], [2, 3]]).toBeAllClose([[1], [2, 3]])).toThrow(/ragged/);
  });

  test("reads a received tensor", () => {
    // The shape of a @modular/tensor tensor that the matcher relies on.
    const tensorLike = (values: number[][]) => ({ isTensor: true, arraySync: () => values });

    expect(tensorLike([[1, 2], [3, 4]])).toBeAllClose([[1, 2], [3, 4]]);
    expect(() => expect(tensorLike([[1, 2]])).toBeAllClose([[1, 3]])).toThrow(/flat index 1/);
  });

  test("works with not", () => {
    expect([1]).not.toBeAllClose([2]);
    expect(() => expect([1]).not.toBeAllClose([1])).toThrow();
  });
});
