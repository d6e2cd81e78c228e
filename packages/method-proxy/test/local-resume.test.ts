/**
 * Resuming a greedy local-loss run inside a hidden phase: the checkpoint
 * contains the phase's auxiliary heads and their optimizer state, so the
 * resumed run ends with the weights of an uninterrupted one.
 */
import { loadMnist } from "@modular/datasets";
import { type CheckpointFiles, type Model, mlp, splitEveryBlock, train, type TrainOptions } from "@modular/nn";
import { describe, expect, test } from "vitest";
import { auxClassifierProxy, contrastiveProxy, predSimProxy } from "../src/index.js";

const SPEC = { kind: "mlp", inputShape: [1, 28, 28], hidden: [16, 16], classes: 10 } as const;

class Interrupted extends Error {}

async function runOptions(model: Model, method: () => TrainOptions["method"]) {
  const { train: digits } = await loadMnist();
  return {
    modules: splitEveryBlock(model),
    method: method(),
    train: digits.slice(0, 200),
    epochs: 2,
    batchSize: 50,
    seed: 3,
    optimizer: { kind: "adam", lr: 1e-3 },
  } satisfies TrainOptions;
}

async function bitsOf(model: Model): Promise<Uint32Array[]> {
  return Promise.all(model.parameters().map(async (p) => new Uint32Array(((await p.value.data()) as Float32Array).slice().buffer)));
}

describe("greedy local-loss resume", () => {
  test.each([
    ["proxy/predsim", () => predSimProxy()],
    ["proxy/aux-classifier of depth 2", () => auxClassifierProxy({ depth: 2, width: 8 })],
    // Its second view draws a fresh dropout mask each step, keyed by the phase's step count.
    ["proxy/contrastive", () => contrastiveProxy()],
  ])("%s resumed inside a hidden phase ends with the uninterrupted weights", async (_name, method) => {
    const straight = mlp(SPEC, 1);
    await train(await runOptions(straight, method));

    let saved: CheckpointFiles = new Map();
    const run = train({
      ...(await runOptions(mlp(SPEC, 1), method)),
      checkpoint: { every: 1, write: (files) => void (saved = files) },
      onEvent: (event) => {
        // Epoch 1 of 2 of the second hidden module's phase: its head has trained for one epoch.
        if (event.event === "checkpoint" && event.phase === 2 && event.epoch === 1) throw new Interrupted();
      },
    });
    await expect(run).rejects.toThrow(Interrupted);
    expect([...saved.keys()].filter((name) => name.startsWith("auxiliary-")).length).toBeGreaterThan(0);

    const resumed = mlp(SPEC, 2);
    await train({ ...(await runOptions(resumed, method)), resumeFrom: { files: saved, location: "memory" } });

    expect(await bitsOf(resumed)).toEqual(await bitsOf(straight));
  });
});
