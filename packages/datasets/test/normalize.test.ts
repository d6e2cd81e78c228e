/** Per-channel normalisation with training-split statistics. */
import "@modular/testing";
import { InvalidArgumentError } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { channelStatistics, Dataset, normalize, normalizeSplit } from "../src/index.js";

/** Two samples of shape [2, 1, 2]: channel 0 contains 1, 3, 5, 7 and channel 1 contains 10, 10, 20, 20. */
const TRAIN = new Dataset({
  name: "train",
  images: Float32Array.from([1, 3, 10, 10, 5, 7, 20, 20]),
  labels: Int32Array.from([0, 1]),
  sampleShape: [2, 1, 2],
  classes: 2,
});

const TEST = new Dataset({
  name: "test",
  images: Float32Array.from([4, 4, 15, 25]),
  labels: Int32Array.from([1]),
  sampleShape: [2, 1, 2],
  classes: 2,
});

describe("normalisation", () => {
  test("statistics per channel", () => {
    const { mean, std } = channelStatistics(TRAIN);

    expect(Array.from(mean)).toEqual([4, 15]);
    expect(Array.from(std)).toBeAllClose([Math.sqrt(5), 5], { rtol: 1e-12 });
  });

  test("training split gets mean 0 and std 1", () => {
    const { train } = normalizeSplit({ train: TRAIN, test: TEST });
    const { mean, std } = channelStatistics(train);

    expect(Array.from(mean)).toBeAllClose([0, 0], { atol: 1e-6 });
    expect(Array.from(std)).toBeAllClose([1, 1], { rtol: 1e-6 });
  });

  test("test split uses training statistics", () => {
    const { test: testSet, statistics } = normalizeSplit({ train: TRAIN, test: TEST });

    expect(Array.from(statistics.mean)).toEqual([4, 15]);
    expect(Array.from(testSet.images)).toBeAllClose([0, 0, 0, 2], { atol: 1e-6 });
    expect(Array.from(testSet.labels)).toEqual([1]);
  });

  test("flat samples normalise each feature", () => {
    const flat = new Dataset({ name: "flat", images: Float32Array.from([0, 10, 2, 30]), labels: Int32Array.from([0, 0]), sampleShape: [2], classes: 1 });

    expect(Array.from(channelStatistics(flat).mean)).toEqual([1, 20]);
  });

  test("rejects a constant channel", () => {
    const constant = { mean: Float64Array.from([4, 15]), std: Float64Array.from([1, 0]) };

    expect(() => normalize(TRAIN, constant)).toThrow(InvalidArgumentError);
    expect(() => normalize(TRAIN, constant)).toThrow(/channel 1 .* standard deviation 0/);
  });

  test("rejects statistics of another channel count", () => {
    const three = { mean: new Float64Array(3), std: Float64Array.from([1, 1, 1]) };

    expect(() => normalize(TRAIN, three)).toThrow(/has 2 channels, but the statistics have 3 means/);
  });
});
