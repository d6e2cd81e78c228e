/** Weight initialisers: seeded determinism and the spread of each distribution. */
import { describe, expect, test } from "vitest";
import { INIT_NAMES, type InitName, initTensor } from "../src/index.js";

const RANDOM_INITS = INIT_NAMES.filter((name) => name !== "zeros");

/** Draw a [40, 25] weight with fanIn 400 and fanOut 250, for determinism checks. */
function drawSmall(name: InitName, seed: number, stream: number, gain?: number): Float32Array {
  const options = { seed, stream, fanIn: 400, fanOut: 250, ...(gain === undefined ? {} : { gain }) };
  return initTensor(name, [40, 25], options).dataSync() as Float32Array;
}

/** Draw a [400, 250] weight (100,000 values) with fanIn 400 and fanOut 250, for statistics. */
function drawLarge(name: InitName, gain: number): Float32Array {
  return initTensor(name, [400, 250], { seed: 1, stream: 0, fanIn: 400, fanOut: 250, gain }).dataSync() as Float32Array;
}

function standardDeviation(values: Float32Array): number {
  const mean = values.reduce((acc, v) => acc + v, 0) / values.length;
  const variance = values.reduce((acc, v) => acc + (v - mean) ** 2, 0) / values.length;
  return Math.sqrt(variance);
}

describe("initTensor", () => {
  test.each(RANDOM_INITS)("%s: same seed and stream give identical values", (name) => {
    expect(drawSmall(name, 5, 2)).toEqual(drawSmall(name, 5, 2));
  });

  test.each(RANDOM_INITS)("%s: another stream gives other values", (name) => {
    const a = drawSmall(name, 5, 2);
    const b = drawSmall(name, 5, 3);

    expect(b).not.toEqual(a);
    expect(a.filter((v, i) => v === b[i]).length).toBeLessThan(a.length / 100);
  });

  test.each(RANDOM_INITS)("%s: another seed gives other values", (name) => {
    expect(drawSmall(name, 6, 2)).not.toEqual(drawSmall(name, 5, 2));
  });

  // Over 100,000 draws the sample standard deviation has a relative standard
  // error of about 1/√200,000 ≈ 0.22 %, so the 1 % bound is 4.5 standard errors.
  test.each([
    ["kaiming-normal", "√2", Math.SQRT2, Math.SQRT2 / Math.sqrt(400)],
    ["kaiming-normal", "1", 1, 1 / Math.sqrt(400)],
    ["xavier-normal", "1", 1, Math.sqrt(2 / (400 + 250))],
    ["xavier-normal", "5/3", 5 / 3, (5 / 3) * Math.sqrt(2 / (400 + 250))],
  ] as const)("%s with gain %s has the stated standard deviation", (name, _, gain, std) => {
    const values = drawLarge(name, gain);

    expect(Math.abs(standardDeviation(values) / std - 1)).toBeLessThan(0.01);
  });

  test("kaiming-normal defaults to gain √2", () => {
    expect(drawSmall("kaiming-normal", 1, 0)).toEqual(drawSmall("kaiming-normal", 1, 0, Math.SQRT2));
  });

  test.each([
    ["kaiming-uniform", "√2", Math.SQRT2, Math.SQRT2 * Math.sqrt(3 / 400)],
    ["kaiming-uniform", "1", 1, Math.sqrt(3 / 400)],
    ["xavier-uniform", "1", 1, Math.sqrt(6 / (400 + 250))],
    ["xavier-uniform", "5/3", 5 / 3, (5 / 3) * Math.sqrt(6 / (400 + 250))],
  ] as const)("%s with gain %s fills [-bound, bound]", (name, _, gain, bound) => {
    const values = drawLarge(name, gain);
    const min = values.reduce((acc, v) => Math.min(acc, v), Infinity);
    const max = values.reduce((acc, v) => Math.max(acc, v), -Infinity);

    expect(min).toBeGreaterThanOrEqual(-bound);
    expect(max).toBeLessThanOrEqual(bound);
    expect(min).toBeLessThan(-0.99 * bound);
    expect(max).toBeGreaterThan(0.99 * bound);
    // A uniform distribution on [-b, b] has standard deviation b / √3.
    expect(Math.abs(standardDeviation(values) / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.01);
  });

  test("zeros gives zeros", () => {
    const values = initTensor("zeros", [3, 2], { seed: 1, stream: 0, fanIn: 3, fanOut: 2 });

    expect(values.shape).toEqual([3, 2]);
    expect(Array.from(values.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
