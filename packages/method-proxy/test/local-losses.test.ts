/** The local losses on hand-computed cases, and module isolation in the local-loss frame. */
import { Linear, mlp, ReLU, Sequential, split } from "@modular/nn";
import { tensor, type Tensor } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import {
  auxClassifierObjective,
  infoNceLoss,
  localLossMethod,
  predObjective,
  predSimObjective,
  similarityMatchingLoss,
  similarityMatrix,
} from "../src/index.js";
import "@modular/testing";

function labels(values: number[]): Tensor {
  return tensor(Int32Array.from(values), [values.length]);
}

describe("similarityMatrix", () => {
  test("centres rows before the cosine", async () => {
    // Centred rows: [0.5, -0.5], [-0.5, 0.5] and [0, 0]; the constant row has similarity 0 to all.
    const s = similarityMatrix(tensor([[1, 0], [0, 1], [1, 1]]));

    await expect(s).toBeAllClose([[1, -1, 0], [-1, 1, 0], [0, 0, 0]], { atol: 1e-6 });
  });

  test("is scale invariant per row", async () => {
    const s = similarityMatrix(tensor([[1, 2, 4], [30, 10, 20]]));

    // Centred: [-4/3, -1/3, 5/3] and [10, -10, 0]; cosine = (-40/3 + 10/3) / (√(42/9) · √200).
    await expect(s).toBeAllClose([[1, -10 / Math.sqrt(42 / 9) / Math.sqrt(200)], [-10 / Math.sqrt(42 / 9) / Math.sqrt(200), 1]], { atol: 1e-6 });
  });
});

describe("similarityMatchingLoss", () => {
  test("is 0 when the features are the one-hot labels", async () => {
    const y = labels([0, 1, 2, 1]);
    const features = tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0]]);

    await expect(similarityMatchingLoss(features, y, 3)).toBeAllClose(0, { atol: 1e-7 });
  });

  test("is the mean squared difference of the two matrices", async () => {
    // Label similarity for classes [0, 1] out of 2: centred one-hot rows [0.5, -0.5], [-0.5, 0.5] give [[1, -1], [-1, 1]].
    // Features [1, 0] and [2, 0] centre to [0.5, -0.5] and [1, -1]: similarity [[1, 1], [1, 1]].
    // Squared differences 0, 4, 4, 0 over 4 entries: 2.
    const loss = similarityMatchingLoss(tensor([[1, 0], [2, 0]]), labels([0, 1]), 2);

    await expect(loss).toBeAllClose(2, { atol: 1e-6 });
  });
});

/** The context of a hidden module with 3 features, in a 2-module model for 4 classes. */
const CONTEXT = { index: 0, modules: 2, sampleShape: [3], inputShape: [3], outputShape: [3], classes: 4, seed: 0 };

describe("pred objective", () => {
  test("starts at cross-entropy log(classes)", async () => {
    const objective = predObjective()(CONTEXT);
    const h = tensor([[1, 2, 3], [-1, 0, 4]]);
    const y = labels([0, 3]);

    await expect(objective.loss(h, { x: h, y }, h, (x) => x)).toBeAllClose(Math.log(4), { atol: 1e-6 });
  });

  test("has one trainable head", () => {
    expect(predObjective()(CONTEXT).heads).toHaveLength(1);
  });
});

describe("predsim objective", () => {
  test("mixes pred and sim by beta", async () => {
    const h = tensor([[1, 0, 0], [0, 1, 0]]);
    const y = labels([0, 1]);
    // With zero classifier weights pred = log 4; sim is whatever similarityMatchingLoss gives.
    const sim = similarityMatchingLoss(h, y, 4);
    const simValue = (await sim.data())[0]!;
    const loss = predSimObjective(0.25)(CONTEXT).loss(h, { x: h, y }, h, (x) => x);

    await expect(loss).toBeAllClose(0.75 * Math.log(4) + 0.25 * simValue, { atol: 1e-6 });
  });
});

describe("infoNceLoss", () => {
  test("is log N for duplicate rows", async () => {
    const rows = tensor([[1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]]);

    await expect(infoNceLoss(rows, rows, 0.1)).toBeAllClose(Math.log(4), { atol: 1e-5 });
  });

  test("stays finite for zero rows", async () => {
    const zero = tensor([[0, 0], [0, 0], [0, 0]]);
    const values = await infoNceLoss(zero, zero, 0.1).data();

    expect(Number.isFinite(values[0])).toBe(true);
  });

  test("matches the two-row case by hand", async () => {
    // Unit rows [1, 0] and [0, 1] in both views: logits [[10, 0], [0, 10]] at temperature 0.1.
    // Each row's cross-entropy is log(1 + e^-10), in both directions.
    const views = tensor([[3, 0], [0, 2]]);

    await expect(infoNceLoss(views, views, 0.1)).toBeAllClose(Math.log1p(Math.exp(-10)), { atol: 1e-6 });
  });
});

describe("local-loss frame", () => {
  /** Build an MLP on 4 features with two hidden layers, split into 3 modules. */
  function model() {
    return split(mlp({ kind: "mlp", inputShape: [4], hidden: [5, 6], classes: 3 }, 7), [1, 2]);
  }

  const batch = {
    x: tensor([[0.1, 0.2, 0.3, 0.4], [0.5, -0.1, 0.2, 0.0], [-0.3, 0.4, 0.1, 0.9]]),
    y: labels([0, 2, 1]),
  };
  const context = {
    epochs: 1,
    batchSize: 3,
    seed: 0,
    classes: 3,
    sampleShape: [4],
    optimizer: { kind: "sgd", lr: 0.1 } as const,
  };

  test("a simultaneous step gives module 1 only its own gradient", async () => {
    const { SGD } = await import("@modular/nn");
    const createOptimizer = () => new SGD({ lr: 0.1 });
    const together = model();
    const alone = model();

    const objective = auxClassifierObjective(1);
    const simultaneous = localLossMethod({ name: "test", lossLabel: "aux", objective, schedule: "simultaneous" });
    simultaneous.plan(together, { ...context, createOptimizer })[0]!.step(batch);
    const greedy = localLossMethod({ name: "test", lossLabel: "aux", objective });
    greedy.plan(alone, { ...context, createOptimizer })[0]!.step(batch);

    const first = together[0]!.parameters()[0]!.value;
    const reference = alone[0]!.parameters()[0]!.value;
    await expect(first).toBeAllClose(await reference.array(), { atol: 0 });
    // The step did change the weights, so the equality above is not that of two untouched copies.
    const initial = model()[0]!.parameters()[0]!.value;
    expect(await first.array()).not.toEqual(await initial.array());
  });

  test("rejects a single module", () => {
    const method = localLossMethod({ name: "proxy/test", lossLabel: "pred", objective: predObjective() });
    const single = [new Sequential([new Linear(4, 3), new ReLU()])];

    expect(() => method.plan(single, { ...context, createOptimizer: () => { throw new Error("unused"); } })).toThrow(
      "proxy/test needs at least 2 training modules",
    );
  });
});
