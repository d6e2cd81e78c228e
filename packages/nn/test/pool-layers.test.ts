/** Pooling layers and the unpooling layers built from them. */
import { tensor, zeros } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { AvgPool2d, AvgUnpool2d, ConfigError, GlobalAvgPool2d, MaxPool2d, MaxUnpool2d } from "../src/index.js";
import "@modular/testing";

/** A 1x1x3x3 image whose maxima per 2x2 window are unique. */
const IMAGE = tensor([1, 2, 0, 4, 3, 9, 5, 6, 7], [1, 1, 3, 3]);

describe("MaxPool2d", () => {
  test("takes the maximum of each window", () => {
    const pool = new MaxPool2d(2, { stride: 1 });

    expect(pool.forward(IMAGE)).toBeAllClose([[[[4, 9], [6, 9]]]]);
  });

  test("keeps its indices only when asked", () => {
    const plain = new MaxPool2d(2);
    const keeping = new MaxPool2d(2, { keepIndices: true });
    plain.forward(IMAGE);
    keeping.forward(IMAGE);

    expect(() => plain.lastIndices).toThrow(ConfigError);
    expect(Array.from(keeping.lastIndices.dataSync())).toEqual([3]);
    expect(keeping.lastInputSize).toEqual([3, 3]);
  });

  test("rejects a flat input", () => {
    expect(() => new MaxPool2d(2).forward(zeros([2, 784]))).toThrow(
      "MaxPool2d(2) expects input [N, C, H, W], but got [2, 784]. Reshape flat samples to [N, C, H, W].",
    );
  });
});

describe("AvgPool2d", () => {
  test("averages each window", () => {
    expect(new AvgPool2d(2, { stride: 1 }).forward(IMAGE)).toBeAllClose([[[[2.5, 3.5], [4.5, 6.25]]]]);
  });
});

describe("GlobalAvgPool2d", () => {
  test("gives [N, C]", () => {
    const x = tensor([1, 2, 3, 4, 10, 20, 30, 40], [1, 2, 2, 2]);

    expect(new GlobalAvgPool2d().forward(x)).toBeAllClose([[2.5, 25]]);
  });
});

describe("MaxUnpool2d", () => {
  test("restores the maxima of an odd-sized input", () => {
    const pool = new MaxPool2d(2, { keepIndices: true });
    const unpool = new MaxUnpool2d(pool);

    const restored = unpool.forward(pool.forward(IMAGE));

    expect(restored.shape).toEqual([1, 1, 3, 3]);
    expect(restored).toBeAllClose([[[[0, 0, 0], [4, 0, 0], [0, 0, 0]]]]);
  });

  test("requires a pool that keeps its indices", () => {
    expect(() => new MaxUnpool2d(new MaxPool2d(2))).toThrow(ConfigError);
    expect(() => new MaxUnpool2d(new MaxPool2d(2))).toThrow(/construct it with \{ keepIndices: true \}/);
  });

  test("requires a forward pass first", () => {
    const unpool = new MaxUnpool2d(new MaxPool2d(2, { keepIndices: true }));

    expect(() => unpool.forward(zeros([1, 1, 1, 1]))).toThrow(/has not run a forward pass yet/);
  });
});

describe("AvgUnpool2d", () => {
  test("copies each average back over its window", () => {
    const pool = new AvgPool2d(2);
    const unpool = new AvgUnpool2d(pool);
    const x = tensor([1, 3, 0, 5, 7, 0, 0, 0, 0], [1, 1, 3, 3]);

    const restored = unpool.forward(pool.forward(x));

    expect(restored).toBeAllClose([[[[4, 4, 0], [4, 4, 0], [0, 0, 0]]]]);
  });
});
