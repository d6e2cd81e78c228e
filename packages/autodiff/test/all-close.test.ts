/** The `toBeAllClose` matcher of this package's tests: it must reject what it is there to catch. */
import { expect, test } from "vitest";
import "./all-close.js";

test("toBeAllClose accepts values within tolerance", () => {
  expect([[1, 2.000001]]).toBeAllClose([[1, 2]]);
});

test("toBeAllClose rejects values beyond tolerance", () => {
  expect(() => expect([1, 2.1]).toBeAllClose([1, 2])).toThrow(/1 of 2 elements differ/);
});

test("toBeAllClose rejects a different shape", () => {
  expect(() => expect([[1, 2]]).toBeAllClose([1, 2])).toThrow(/expected shape \[2\]/);
});
