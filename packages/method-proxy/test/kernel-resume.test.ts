/**
 * Resuming a `proxy/kernel` run, whose phases train one module each: an
 * interruption in either phase and a resume from its checkpoint end with the
 * weights of an uninterrupted run.
 */
import { loadMnist } from "@modular/datasets";
import { type CheckpointFiles, type Model, mlp, splitBeforeOutput, train, type TrainOptions } from "@modular/nn";
import { describe, expect, test } from "vitest";
import { kernelProxy } from "../src/index.js";

const SPEC = { kind: "mlp", inputShape: [1, 28, 28], hidden: [16], classes: 10 } as const;

class Interrupted extends Error {}

async function runOptions(model: Model) {
  const { train: digits } = await loadMnist();
  return {
    modules: splitBeforeOutput(model),
    method: kernelProxy(),
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

describe("proxy/kernel resume", () => {
  // Phase 1 trains the body for 2 epochs, phase 2 the output layer for 2 epochs.
  test.each([
    ["after the body's last epoch", 1, 2],
    ["inside the output phase", 2, 1],
  ])("%s ends with the uninterrupted weights", { timeout: 60_000 }, async (_name, stopPhase, stopEpoch) => {
    const straight = mlp(SPEC, 1);
    await train(await runOptions(straight));

    let saved: CheckpointFiles = new Map();
    const run = train({
      ...(await runOptions(mlp(SPEC, 1))),
      checkpoint: { every: 1, write: (files) => void (saved = files) },
      onEvent: (event) => {
        if (event.event === "checkpoint" && event.phase === stopPhase && event.epoch === stopEpoch) throw new Interrupted();
      },
    });
    await expect(run).rejects.toThrow(Interrupted);

    const resumed = mlp(SPEC, 2);
    await train({ ...(await runOptions(resumed)), resumeFrom: { files: saved, location: "memory" } });

    expect(await bitsOf(resumed)).toEqual(await bitsOf(straight));
  });
});
