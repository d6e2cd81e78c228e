/// <reference types="node" />
/**
 * The auxiliary-variable methods as `TrainingMethod`s: which models they
 * accept, option checks, and ADMM on Fashion-MNIST: bit-identical weights
 * from two runs with one seed, and a finite loss over 50 iterations.
 */
import { existsSync } from "node:fs";
import { DEFAULT_FASHION_MNIST_DIR, loadFashionMnist } from "@modular/datasets";
import {
  type Batch,
  cnn,
  ConfigError,
  createOptimizer,
  mlp,
  type Model,
  type Phase,
  splitBeforeOutput,
  splitEveryBlock,
  type TrainingContext,
} from "@modular/nn";
import { tidy } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { admm, bcd } from "../src/index.js";

function contextFor(classes: number, seed = 1): TrainingContext {
  const optimizer = { kind: "sgd", lr: 0.1 } as const;
  return {
    epochs: 1,
    batchSize: 64,
    seed,
    classes,
    sampleShape: [1, 28, 28],
    optimizer,
    createOptimizer: () => createOptimizer(optimizer),
  };
}

describe("auxvar methods", () => {
  test.each([
    { name: "bcd", create: () => bcd() },
    { name: "admm", create: () => admm() },
  ])("$name rejects a CNN", ({ create }) => {
    const model = cnn({ kind: "cnn", inputShape: [1, 28, 28], classes: 10 }, 1);

    expect(() => create().plan(splitBeforeOutput(model), contextFor(10))).toThrow(ConfigError);
    expect(() => create().plan(splitBeforeOutput(model), contextFor(10))).toThrow(/support only a ReLU MLP.*--model mlp/);
  });

  test("rejects a tanh MLP", () => {
    const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16], classes: 10, activation: "tanh" }, 1);

    expect(() => bcd().plan(splitBeforeOutput(model), contextFor(10))).toThrow(/layer 3 is Tanh.*a ReLU there/);
  });

  test("rejects a class count mismatch", () => {
    const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16], classes: 10 }, 1);

    expect(() => admm().plan(splitEveryBlock(model), contextFor(5))).toThrow(/10 units but the task has 5 classes/);
  });

  test("plans one phase over every module", () => {
    const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16, 8], classes: 10 }, 1);
    const modules = splitEveryBlock(model);

    const phases = bcd().plan(modules, contextFor(10));

    expect(phases).toHaveLength(1);
    expect(phases[0]!.trainable).toEqual(modules);
  });

  test.each([
    { create: () => admm({ iterations: 0 }), message: /iterations 0 is invalid.*integer ≥ 1/ },
    { create: () => admm({ beta: 0 }), message: /beta 0 is invalid.*> 0/ },
    { create: () => admm({ loss: "hinge2" as "hinge" }), message: /loss "hinge2" is invalid; use one of mse, hinge/ },
    { create: () => bcd({ proximal: -1 }), message: /proximal -1 is invalid/ },
    { create: () => bcd({ jitter: Number.NaN }), message: /jitter NaN is invalid/ },
  ])("rejects invalid option $message", ({ create, message }) => {
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(message);
  });
});

const FASHION_FOUND = existsSync(DEFAULT_FASHION_MNIST_DIR);
const FASHION_MISSING =
  `Fashion-MNIST not found in ${DEFAULT_FASHION_MNIST_DIR}; ` + "install the Debian package dataset-fashion-mnist to run this test";

/** ADMM steps on the first training batches of Fashion-MNIST: 10 steps of 5 iterations, 50 iterations in all. */
async function admmOnFashion(): Promise<{ weights: Float32Array[]; losses: number[] }> {
  const { train } = await loadFashionMnist();
  const model: Model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [256, 128], classes: 10 }, 1);
  const [phase] = admm({ iterations: 5, warmStart: 1, alignmentEvery: 0 }).plan(splitBeforeOutput(model), contextFor(10)) as [
    Phase,
  ];
  const losses: number[] = [];
  let step = 0;
  for (const batch of train.batches({ batchSize: 128, shuffle: true, seed: 1, epoch: 1 })) {
    if (step++ === 10) break;
    losses.push(tidy(() => phase.step(batch as Batch).losses["model"]!.dataSync()[0]!));
  }
  phase.end?.();
  const weights = model.parameters().map((parameter) => parameter.value.dataSync() as Float32Array);
  model.dispose();
  return { weights, losses };
}

describe("ADMM on Fashion-MNIST mlp", () => {
  test.skipIf(!FASHION_FOUND)(`reproducible and finite${FASHION_FOUND ? "" : ` (skipped: ${FASHION_MISSING})`}`, { timeout: 300_000 }, async () => {
    const first = await admmOnFashion();
    const second = await admmOnFashion();

    expect(first.losses).toHaveLength(10);
    expect(first.losses.every(Number.isFinite)).toBe(true);
    expect(first.weights.every((w) => w.every(Number.isFinite))).toBe(true);
    // The step losses are those of the network before each step, so a loss below the first shows training.
    expect(Math.min(...first.losses.slice(5))).toBeLessThan(first.losses[0]!);
    expect(second.losses).toEqual(first.losses);
    second.weights.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(first.weights[i]!.buffer))).toBe(true));
  });
});
