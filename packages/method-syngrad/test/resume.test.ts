/**
 * A run of `syngrad/dni` stopped mid-epoch and resumed from its
 * checkpoint takes true gradients at the same steps as an uninterrupted run,
 * because `resumeAt` continues the step counter, so both end alike.
 */
import { loadMnist } from "@modular/datasets";
import { type CheckpointFiles, mlp, splitBeforeOutput, train, TrainingInterruptedError, type TrainOptions } from "@modular/nn";
import { describe, expect, test } from "vitest";
import { dni } from "../src/index.js";

const SPEC = { kind: "mlp", inputShape: [1, 28, 28], hidden: [16], classes: 10 } as const;

/** 256 digits in batches of 32: 8 steps per epoch; one phase of 2 epochs. */
async function runOptions(seed: number) {
  const { train: trainSet } = await loadMnist();
  const model = mlp(SPEC, seed);
  const options = {
    modules: splitBeforeOutput(model),
    method: dni({ trueGradientEvery: 3 }),
    train: trainSet.slice(0, 256),
    epochs: 2,
    batchSize: 32,
    seed: 3,
    optimizer: { kind: "adam", lr: 1e-3 },
    logEvery: 1,
  } satisfies TrainOptions;
  return { model, options };
}

describe("syngrad resume", { timeout: 120_000 }, () => {
  test.each([
    ["first", 1, 4],
    ["second", 1, 13],
  ])("mid-epoch stop in the %s epoch matches a straight run", async (_name, phase, step) => {
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
    expect(ran).toHaveLength(phase);
    for (const label of ran) expect(resumedResult.finalLosses[label]).toEqual(straightResult.finalLosses[label]);
    const weights = async (model: typeof straight.model) => Promise.all(model.parameters().map((p) => p.value.data()));
    expect(await weights(resumed.model)).toEqual(await weights(straight.model));
  });
});
