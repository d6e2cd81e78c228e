/**
 * Transferability estimation: Spearman's ρ on hand-computed cases, the
 * kernel-proxy-loss score of hand-made bodies, and output-layer fitting on
 * a frozen body.
 */
import { Dataset } from "@modular/datasets";
import { Linear, Module } from "@modular/nn";
import { reshape, type Tensor, tensor } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import {
  averageRanks,
  fitOutputLayer,
  kernelProxyLoss,
  sameClassMatrix,
  spearmanCorrelation,
  transferScore,
} from "../src/index.js";
import "@modular/testing";

describe("averageRanks", () => {
  test.each([
    ["distinct values", [30, 10, 20], [3, 1, 2]],
    ["one tie", [10, 20, 20, 5], [2, 3.5, 3.5, 1]],
    ["all tied", [7, 7, 7], [2, 2, 2]],
    ["two ties", [1, 1, 2, 2], [1.5, 1.5, 3.5, 3.5]],
  ])("%s", (_name, values, ranks) => {
    expect(averageRanks(values)).toEqual(ranks);
  });
});

describe("spearmanCorrelation", () => {
  test.each([
    // Σd² = 0, so ρ = 1.
    ["same order", [1, 2, 3, 4], [10, 20, 30, 40], 1],
    ["reversed order", [1, 2, 3, 4], [0.9, 0.8, 0.7, 0.1], -1],
    // Ranks differ by 1 at two positions: ρ = 1 − 6·2 / (4·15) = 0.8.
    ["one swap", [1, 2, 3, 4], [1, 3, 2, 4], 0.8],
    // x ranks [1, 2.5, 2.5, 4] against [1, 2, 3, 4]: covariance 4.5, variances 4.5 and 5, ρ = 3/√10.
    ["tie in x", [1, 2, 2, 3], [1, 2, 3, 4], 3 / Math.sqrt(10)],
    // Ranks [1.5, 1.5, 3] and [1, 2.5, 2.5]: covariance 0.75, variances 1.5 each, ρ = 0.5.
    ["ties in both", [5, 5, 9], [1, 4, 4], 0.5],
  ])("%s", (_name, x, y, expected) => {
    expect(spearmanCorrelation(x, y)).toBeCloseTo(expected, 12);
  });

  test("constant input gives NaN", () => {
    expect(spearmanCorrelation([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  test.each([
    ["different lengths", [1, 2, 3], [1, 2], "x has 3 values but y has 2"],
    ["one pair", [1], [2], "needs at least 2 pairs, but got 1"],
    ["non-finite value", [1, Number.NaN], [1, 2], "x[1] is NaN"],
  ])("%s throws", (_name, x, y, message) => {
    expect(() => spearmanCorrelation(x, y)).toThrow(message);
  });
});

/**
 * 3 classes in 6 features: features 0–2 are the one-hot class plus noise of
 * at most 0.2, and features 3–5 are uniform noise in [0, 1) that carries no
 * label information. The noise comes from a fixed linear congruential sequence.
 */
function syntheticTask(size: number, seed: number): Dataset {
  let state = seed;
  const next = () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
  const images = new Float32Array(size * 6);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const label = i % 3;
    labels[i] = label;
    for (let j = 0; j < 3; j++) images[i * 6 + j] = (j === label ? 1 : 0) + 0.2 * next();
    for (let j = 3; j < 6; j++) images[i * 6 + j] = next();
  }
  return new Dataset({ name: "synthetic", images, labels, sampleShape: [6], classes: 3 });
}

/** Build a 6 → 3 linear body that copies the features starting at `first`. */
function selectingBody(first: number): Linear {
  const body = new Linear(6, 3);
  const weight = new Float32Array(18);
  for (let j = 0; j < 3; j++) weight[(first + j) * 3 + j] = 1;
  body.weight.assign(tensor(weight, [6, 3]));
  return body;
}

describe("transferScore", () => {
  test("separable body scores below a noise body", async () => {
    const task = syntheticTask(300, 1);
    const separable = await transferScore([selectingBody(0)], task, { batches: 4, batchSize: 64, seed: 2 });
    const noise = await transferScore([selectingBody(3)], task, { batches: 4, batchSize: 64, seed: 2 });

    expect(separable.losses).toHaveLength(4);
    expect(separable.samples).toBe(256);
    expect(separable.score).toBeLessThan(0.1);
    expect(noise.score).toBeGreaterThan(0.3);
  });

  test("one batch of the whole set equals the loss", async () => {
    // The loss does not depend on the order of the samples, so the shuffle does not change it.
    const task = syntheticTask(30, 3);
    const body = selectingBody(3);
    const { score } = await transferScore([body], task, { batches: 1, batchSize: 30, seed: 5 });

    const features = body.forward(tensor(task.images, [30, 6]));
    const expected = kernelProxyLoss(features, sameClassMatrix(tensor(task.labels, [30], "int32")));
    expect(score).toBeCloseTo((await expected.data())[0]!, 5);
  });

  test("same seed picks the same batches", async () => {
    const task = syntheticTask(300, 4);
    const first = await transferScore([selectingBody(3)], task, { batches: 3, batchSize: 32, seed: 9 });
    const second = await transferScore([selectingBody(3)], task, { batches: 3, batchSize: 32, seed: 9 });
    const other = await transferScore([selectingBody(3)], task, { batches: 3, batchSize: 32, seed: 10 });

    expect(second.losses).toEqual(first.losses);
    expect(other.losses).not.toEqual(first.losses);
  });

  test.each([
    [{ batches: 5, batchSize: 64 }, "5 batches of 64 need 320 samples, but the source has 300"],
    [{ batchSize: 1 }, "batchSize 1 is invalid"],
    [{ batches: 0 }, "batches 0 is invalid"],
  ])("rejects %o", async (options, message) => {
    await expect(transferScore([selectingBody(0)], syntheticTask(300, 1), options)).rejects.toThrow(message);
  });
});

describe("fitOutputLayer", () => {
  test("separable body reaches high accuracy and stays frozen", async () => {
    const body = selectingBody(0);
    const before = Array.from(await body.weight.value.data());
    const fit = await fitOutputLayer([body], syntheticTask(300, 6), syntheticTask(90, 7), { epochs: 20, batchSize: 30, seed: 1 });

    expect(fit.testAccuracy).toBeGreaterThan(0.95);
    expect(Number.isFinite(fit.finalLoss)).toBe(true);
    expect(Array.from(await body.weight.value.data())).toEqual(before);
  });

  test("noise body stays near chance", async () => {
    const fit = await fitOutputLayer([selectingBody(3)], syntheticTask(300, 6), syntheticTask(90, 7), { epochs: 20, batchSize: 30, seed: 1 });
    expect(fit.testAccuracy).toBeLessThan(0.6);
  });

  test("feature maps get a flattening head", async () => {
    /** Reshapes [N, 3] features to [N, 3, 1, 1], as a conv body's output. */
    class FeatureMaps extends Module {
      forward(x: Tensor): Tensor {
        return reshape(x, [x.shape[0]!, 3, 1, 1]);
      }
    }
    const fit = await fitOutputLayer([selectingBody(0), new FeatureMaps()], syntheticTask(300, 6), syntheticTask(90, 7), {
      epochs: 20,
      batchSize: 30,
      seed: 1,
    });

    expect(fit.testAccuracy).toBeGreaterThan(0.95);
  });

  test("rejects zero epochs", async () => {
    await expect(fitOutputLayer([selectingBody(0)], syntheticTask(30, 1), syntheticTask(30, 2), { epochs: 0 })).rejects.toThrow(
      "epochs 0 is invalid",
    );
  });
});
