/** `FeatureVector` pools image outputs by hand-checked windows, and conv heads have the layers of the papers. */
import { Conv2d } from "@modular/nn";
import { tensor } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { auxClassifierObjective, FeatureVector, predSimObjective, simObjective } from "../src/index.js";
import { featureCount, pooledSide } from "../src/objectives.js";
import "@modular/testing";

const CONTEXT = { index: 0, modules: 2, sampleShape: [1, 6, 6], inputShape: [1, 6, 6], classes: 3, seed: 1 };

describe("FeatureVector", () => {
  test("pools 3×3 to 2×2 with overlapping windows", async () => {
    const x = tensor(Float32Array.from({ length: 9 }, (_, i) => i), [1, 1, 3, 3]);
    // Rows {0, 1} and {1, 2}, and the same columns: means of 0,1,3,4 / 1,2,4,5 / 3,4,6,7 / 4,5,7,8.
    await expect(new FeatureVector([1, 3, 3]).forward(x)).toBeAllClose([[2, 3, 5, 6]]);
  });

  test("keeps a 4×4 map as it is, channel by channel", async () => {
    const values = Float32Array.from({ length: 32 }, (_, i) => i);
    const x = tensor(values, [1, 2, 4, 4]);
    await expect(new FeatureVector([2, 4, 4]).forward(x)).toBeAllClose([[...values]]);
  });

  test("averages 8×8 maps in 2×2 blocks", async () => {
    const x = tensor(Float32Array.from({ length: 64 }, (_, i) => i), [1, 1, 8, 8]);
    const pooled = await new FeatureVector([1, 8, 8]).forward(x).data();
    // Cell (0, 0) averages rows 0–1 and columns 0–1: (0 + 1 + 8 + 9) / 4.
    expect(pooled[0]).toBeCloseTo(4.5, 5);
    expect(pooled.length).toBe(16);
  });

  test("caps the features at 2048", () => {
    expect(pooledSide([16, 14, 14])).toBe(4);
    expect(pooledSide([256, 8, 8])).toBe(2);
    expect(pooledSide([600, 8, 8])).toBe(1);
    expect(pooledSide([8, 3, 3])).toBe(2);
    expect(featureCount([32, 7, 7])).toBe(512);
    expect(featureCount([256])).toBe(256);
  });

  test("names the shape it was built for", () => {
    expect(() => new FeatureVector([2, 4, 4]).forward(tensor(new Float32Array(18), [1, 2, 3, 3]))).toThrow(
      "FeatureVector: built for samples of shape [2, 4, 4], got [2, 3, 3].",
    );
  });
});

describe("heads on image outputs", () => {
  const image = { ...CONTEXT, outputShape: [4, 6, 6] };
  test("sim compares the features after a 3×3 convolution", () => {
    const { heads } = simObjective()(image);
    expect((heads[0] as unknown as { layers: unknown[] }).layers[0]).toBeInstanceOf(Conv2d);
    expect(heads[0]!.parameters().map((p) => p.shape)).toEqual([[4, 4, 3, 3], [4]]);
  });

  test("predsim trains a linear classifier and a convolution", () => {
    const { heads } = predSimObjective()(image);
    expect(heads.map((head) => head.parameters().map((p) => p.shape))).toEqual([
      [[64, 3], [3]],
      [[4, 4, 3, 3], [4]],
    ]);
  });

  test("an auxiliary classifier of depth 2 has a convolution before its pooling", () => {
    const { heads } = auxClassifierObjective(2, 32)(image);
    const layers = (heads[0] as unknown as { layers: unknown[] }).layers;
    expect(layers[0]).toBeInstanceOf(Conv2d);
    expect(heads[0]!.parameters().map((p) => p.shape)).toEqual([[4, 4, 3, 3], [4], [64, 3], [3]]);
  });

  test("vector outputs keep fully connected heads", () => {
    const vector = { ...CONTEXT, outputShape: [20] };
    expect(auxClassifierObjective(2, 32)(vector).heads[0]!.parameters().map((p) => p.shape)).toEqual([[20, 32], [32], [32, 3], [3]]);
    expect(simObjective()(vector).heads[0]!.parameters()).toEqual([]);
  });
});
