/**
 * A run of `targetprop/dtp` stopped mid-epoch and resumed from its
 * checkpoint draws the same reconstruction noise as an uninterrupted run,
 * because `resumeAt` continues the noise streams, so both end alike.
 */
import { loadMnist } from "@modular/datasets";
import { type CheckpointFiles, mlp, splitEveryBlock, train, TrainingInterruptedError, type TrainOptions } from "@modular/nn";
import { describe, expect, test } from "vitest";
import { dtp } from "../src/index.js";

const SPEC = { kind: "mlp", inputShape: [1, 28, 28], hidden: [16, 16], classes: 10 } as const;

/** 256 digits in batches of 32: 8 steps per epoch; a feedback phase of 1 epoch, then 2 training epochs. */
async function runOptions(seed: number) {
  const { train: trainSet } = await loadMnist();
  const model = mlp(SPEC, seed);
  const options = {
    modules: splitEveryBlock(model),
    method: dtp(),
    train: trainSet.slice(0, 256),
    epochs: 2,
    batchSize: 32,
    seed: 3,
    optimizer: { kind: "adam", lr: 1e-3 },
    logEvery: 1,
  } satisfies TrainOptions;
  return { model, options };
}

describe("targetprop resume", { timeout: 120_000 }, () => {
  test.each([
    ["feedback pre-training", 1, 5],
    ["training", 2, 11],
  ])("mid-epoch stop in %s phase matches a straight run", async (_name, phase, step) => {
    const straight = await runOptions(1);
    const straightResult = await train(straight.options);

    const stopped = await runOptions(1);
    const controller = new AbortController();
    let files: CheckpointFiles = new Map();
    const run = train({
      ...stopped.options,
      signal: controller.signal,
      checkpoint: { every: 1, write: (written) => void (files = written) },
      onEvent: (event) => {
        if (event.event === "step" && event.phase === phase && event.step === step) controller.abort();
      },
    });
    await expect(run).rejects.toThrow(TrainingInterruptedError);

    const resumed = await runOptions(2);
    const resumedResult = await train({ ...resumed.options, resumeFrom: { files, location: "memory" } });

    // A resumed run reports only the phases it ran.
    const ran = Object.keys(resumedResult.finalLosses);
    expect(ran).toHaveLength(3 - phase);
    for (const label of ran) expect(resumedResult.finalLosses[label]).toEqual(straightResult.finalLosses[label]);
    const weights = async (model: typeof straight.model) => Promise.all(model.parameters().map((p) => p.value.data()));
    expect(await weights(resumed.model)).toEqual(await weights(straight.model));
  });
});
