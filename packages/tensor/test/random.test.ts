/**
 * Conformance: seeded random draws. Every backend must produce the values
 * of the host-side Philox reference for the same (seed, stream). The
 * statistical checks guard that reference, with bounds several standard
 * errors wide. The draws are deterministic, so a check that passes once
 * passes on every run.
 */
import { expect } from "vitest";
import {
  InvalidArgumentError,
  philoxNormal,
  philoxUniform,
  randomKey,
  randomNormal,
  randomUniform,
} from "../src/index.js";
import "@modular/testing";
import { describeConformance } from "./conformance.js";

const SAMPLES = 100_000;

/**
 * Absolute tolerance of a normal draw against the float64 reference. The WGSL
 * specification bounds the error of `cos` only by 2^-11 (absolute, on
 * [-π, π]), and Chromium's SwiftShader adapter uses about 2e-4 of that.
 * Box-Muller multiplies it by the radius sqrt(-2 ln u1), at most
 * sqrt(48 ln 2) ≈ 5.8 because u1 ≥ 2^-24.
 */
const BOX_MULLER_ATOL = 2 ** -11 * Math.sqrt(48 * Math.LN2);

function moments(values: ArrayLike<number>): { mean: number; std: number; min: number; max: number } {
  let total = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    total += values[i]!;
    min = Math.min(min, values[i]!);
    max = Math.max(max, values[i]!);
  }
  const mean = total / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(squares / values.length), min, max };
}

/** Count the positions where two draws contain the same value. */
function countEqual(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) equal++;
  return equal;
}

describeConformance("random", (test) => {
  test("same seed and stream give identical values", async () => {
    const a = await randomUniform([1000], { seed: 7, stream: 3 }).data();
    const b = await randomUniform([1000], { seed: 7, stream: 3 }).data();

    expect(a).toBeAllClose(b, { rtol: 0, atol: 0 });
  });

  test("a different stream gives different values", async () => {
    const a = await randomUniform([1000], { seed: 7, stream: 3 }).data();
    const b = await randomUniform([1000], { seed: 7, stream: 4 }).data();

    expect(countEqual(a, b)).toBeLessThan(10);
  });

  test("a different seed gives different values", async () => {
    const a = await randomNormal([1000], { seed: 7 }).data();
    const b = await randomNormal([1000], { seed: 8 }).data();

    expect(countEqual(a, b)).toBeLessThan(10);
  });

  test("uniform equals the Philox reference", async () => {
    const expected = new Float32Array(1001);
    philoxUniform(randomKey(42, 5), expected);
    const y = randomUniform([7, 11, 13], { seed: 42, stream: 5 });

    expect(y.shape).toEqual([7, 11, 13]);
    expect(await y.data()).toBeAllClose(expected, { rtol: 0, atol: 0 });
  });

  test("normal equals the Philox reference", async () => {
    const expected = new Float32Array(999);
    philoxNormal(randomKey(42, 6), expected);
    const y = randomNormal([999], { seed: 42, stream: 6 });

    expect(await y.data()).toBeAllClose(expected, { rtol: 1e-5, atol: BOX_MULLER_ATOL });
  });

  test("uniform lies in [0, 1) with mean 0.5", async () => {
    const stats = moments(await randomUniform([SAMPLES], { seed: 2024 }).data());

    expect(stats.min).toBeGreaterThanOrEqual(0);
    expect(stats.max).toBeLessThan(1);
    // Standard error of the mean is 0.29 / sqrt(1e5) ≈ 0.0009.
    expect(Math.abs(stats.mean - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(stats.std - Math.sqrt(1 / 12))).toBeLessThan(0.01);
  });

  test("normal has mean 0 and std 1", async () => {
    const stats = moments(await randomNormal([SAMPLES], { seed: 2024 }).data());

    // Standard errors: 0.003 for the mean, 0.0022 for the std.
    expect(Math.abs(stats.mean)).toBeLessThan(0.03);
    expect(Math.abs(stats.std - 1)).toBeLessThan(0.03);
    expect(stats.min).toBeGreaterThan(-Infinity);
    expect(stats.max).toBeLessThan(Infinity);
  });

  test("uniform with low and high", async () => {
    const stats = moments(await randomUniform([SAMPLES], { seed: 9, low: -3, high: 5 }).data());

    expect(stats.min).toBeGreaterThanOrEqual(-3);
    expect(stats.max).toBeLessThan(5);
    expect(Math.abs(stats.mean - 1)).toBeLessThan(0.1);
  });

  test("normal with mean and std", async () => {
    const stats = moments(await randomNormal([SAMPLES], { seed: 9, mean: 5, std: 2 }).data());

    expect(Math.abs(stats.mean - 5)).toBeLessThan(0.06);
    expect(Math.abs(stats.std - 2)).toBeLessThan(0.06);
  });

  test("an odd-sized draw is a prefix of a longer one", async () => {
    const short = await randomNormal([5], { seed: 3 }).data();
    const long = await randomNormal([8], { seed: 3 }).data();

    expect(short).toBeAllClose(long.slice(0, 5), { rtol: 0, atol: 0 });
  });

  for (const seed of [-1, 1.5, 2 ** 32]) {
    test(`seed ${seed} is rejected`, () => {
      expect(() => randomUniform([2], { seed })).toThrow(InvalidArgumentError);
      expect(() => randomUniform([2], { seed })).toThrow(/it must be an integer from 0 to 4294967295/);
    });
  }

  test("an invalid stream is rejected", () => {
    expect(() => randomNormal([2], { seed: 1, stream: -2 })).toThrow(/stream -2 is invalid/);
  });
});
