/** clipGradNorm, and the runner option that backprop reads. */
import "@modular/testing";
import { tensor } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { backprop, clipGradNorm, ConfigError, mlp, train } from "../src/index.js";
import { binnedSource } from "./sources.js";

describe("clipGradNorm", () => {
  // Global norm of [3, 4] and [12] is 13.
  const grads = () => [tensor([3, 4]), null, tensor([12])];

  test("scales gradients above the bound", () => {
    const clipped = clipGradNorm(grads(), 6.5);

    expect(clipped.norm.item()).toBeCloseTo(13, 5);
    expect(clipped.grads[0]!.arraySync()).toBeAllClose([1.5, 2], { rtol: 1e-5 });
    expect(clipped.grads[1]).toBeNull();
    expect(clipped.grads[2]!.arraySync()).toBeAllClose([6], { rtol: 1e-5 });
  });

  test("leaves gradients below the bound", () => {
    const clipped = clipGradNorm(grads(), 20);

    expect(clipped.grads[0]!.arraySync()).toBeAllClose([3, 4], { rtol: 1e-6 });
    expect(clipped.grads[2]!.arraySync()).toBeAllClose([12], { rtol: 1e-6 });
  });

  test("returns norm 0 without gradients", () => {
    expect(clipGradNorm([null], 1).norm.item()).toBe(0);
  });

  test.each([0, -1, Number.NaN, Infinity])("rejects maxNorm %s", (maxNorm) => {
    expect(() => clipGradNorm(grads(), maxNorm)).toThrow(ConfigError);
  });
});

describe("train with maxGradNorm", () => {
  const weightsAfter = async (maxGradNorm: number | undefined) => {
    const model = mlp({ kind: "mlp", inputShape: [4], hidden: [3], classes: 2 });
    await train({
      modules: [model],
      method: backprop(),
      train: binnedSource(8, 4, 2),
      epochs: 1,
      batchSize: 8,
      optimizer: { kind: "sgd", lr: 1 },
      ...(maxGradNorm === undefined ? {} : { maxGradNorm }),
    });
    return model.parameters().map((p) => Array.from(p.value.dataSync()));
  };

  test("bounds the size of a backprop step", async () => {
    const initial = mlp({ kind: "mlp", inputShape: [4], hidden: [3], classes: 2 })
      .parameters()
      .map((p) => Array.from(p.value.dataSync()));
    const clipped = await weightsAfter(1e-3);
    const unclipped = await weightsAfter(undefined);

    const distance = (weights: number[][]) =>
      Math.sqrt(weights.flat().reduce((acc, w, i) => acc + (w - initial.flat()[i]!) ** 2, 0));
    // One SGD step with lr 1 moves the weights by exactly the clipped gradient norm.
    expect(distance(clipped)).toBeCloseTo(1e-3, 6);
    expect(distance(unclipped)).toBeGreaterThan(1e-2);
  });

  test("rejects an invalid bound", async () => {
    await expect(weightsAfter(0)).rejects.toThrow(ConfigError);
  });
});
