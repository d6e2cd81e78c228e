/**
 * The feedback matrices in runs: counted among the auxiliary parameters and
 * stored in checkpoints, and a resumed run ends with the weights of an
 * uninterrupted one.
 */
import { loadMnist } from "@modular/datasets";
import { type CheckpointFiles, type Model, mlp, splitBeforeOutput, train, type TrainingEvent, type TrainOptions } from "@modular/nn";
import { describe, expect, test } from "vitest";
import { dfa, fa } from "../src/index.js";

const SPEC = { kind: "mlp", inputShape: [1, 28, 28], hidden: [16, 8], classes: 10 } as const;

class Interrupted extends Error {}

async function runOptions(model: Model, method: () => TrainOptions["method"]) {
  const { train: digits } = await loadMnist();
  return {
    modules: splitBeforeOutput(model),
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

describe("feedback matrices in runs", () => {
  test.each([
    ["fa/fa", () => fa(), 16 * 8 + 8 * 10],
    ["fa/dfa", () => dfa(), 10 * 16 + 10 * 8],
  ])("%s counts its feedback matrices", async (_name, method, count) => {
    const events: TrainingEvent[] = [];
    await train({ ...(await runOptions(mlp(SPEC, 1), method)), epochs: 1, onEvent: (event) => events.push(event) });
    const start = events.find((event) => event.event === "run-start");
    expect(start?.event === "run-start" ? start.auxiliaryParameters : undefined).toBe(count);
  });

  test.each([
    ["fa/fa", () => fa()],
    ["fa/dfa", () => dfa()],
  ])("%s resumed ends with the uninterrupted weights", async (_name, method) => {
    const straight = mlp(SPEC, 1);
    await train(await runOptions(straight, method));

    let saved: CheckpointFiles = new Map();
    const run = train({
      ...(await runOptions(mlp(SPEC, 1), method)),
      checkpoint: { every: 1, write: (files) => void (saved = files) },
      onEvent: (event) => {
        if (event.event === "checkpoint" && event.epoch === 1) throw new Interrupted();
      },
    });
    await expect(run).rejects.toThrow(Interrupted);
    expect([...saved.keys()]).toContain("auxiliary-1.safetensors");

    const resumed = mlp(SPEC, 2);
    await train({ ...(await runOptions(resumed, method)), resumeFrom: { files: saved, location: "memory" } });

    expect(await bitsOf(resumed)).toEqual(await bitsOf(straight));
  });
});
