/**
 * Stopping a run with `TrainOptions.signal`: the runner finishes the step in
 * progress, writes a checkpoint of that position, and a run resumed from it
 * ends with the weights and losses of an uninterrupted run.
 */
import { loadMnist } from "@modular/datasets";
import { describe, expect, test } from "vitest";
import {
  backprop,
  type CheckpointFiles,
  CheckpointFormatError,
  cosineLr,
  type Model,
  mlp,
  splitBeforeOutput,
  train,
  type TrainingEvent,
  TrainingInterruptedError,
  type TrainOptions,
  type TrainResult,
} from "../src/index.js";

const SPEC = { kind: "mlp", inputShape: [1, 28, 28], hidden: [16], classes: 10 } as const;

/** 300 MNIST digits in batches of 32: 10 steps per epoch, 3 epochs. */
async function runOptions(model: Model) {
  const { train: trainSet, test: testSet } = await loadMnist();
  return {
    modules: splitBeforeOutput(model),
    method: backprop(),
    train: trainSet.slice(0, 300),
    test: testSet.slice(0, 200),
    epochs: 3,
    batchSize: 32,
    seed: 5,
    optimizer: { kind: "adam", lr: 3e-3 },
    schedule: cosineLr({ total: 3 }),
    logEvery: 4,
  } satisfies TrainOptions;
}

async function bitsOf(model: Model): Promise<Uint32Array[]> {
  return Promise.all(model.parameters().map(async (p) => new Uint32Array(((await p.value.data()) as Float32Array).slice().buffer)));
}

/** Train until the `step` event of phase step `stopAt` (logEvery 1), abort there, and return the files and events. */
async function stoppedRun(stopAt: number, options: { checkpoint?: boolean } = {}) {
  const controller = new AbortController();
  let saved: CheckpointFiles = new Map();
  const events: TrainingEvent[] = [];
  const run = train({
    ...(await runOptions(mlp(SPEC, 1))),
    logEvery: 1,
    signal: controller.signal,
    ...(options.checkpoint === false ? {} : { checkpoint: { every: 1, spec: SPEC, write: (files) => void (saved = files) } }),
    onEvent: (event) => {
      events.push(event);
      if (event.event === "step" && event.step === stopAt) controller.abort();
    },
  });
  const error = await run.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  return { error, files: saved, events };
}

function stateOf(files: CheckpointFiles): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(files.get("training-state.json")));
}

describe("interrupt with a signal", { timeout: 60_000 }, () => {
  test("stops after the step in progress", async () => {
    const { error, events } = await stoppedRun(14);
    const steps = events.filter((event) => event.event === "step").map((event) => event.step);

    expect(error).toBeInstanceOf(TrainingInterruptedError);
    expect(error).toMatchObject({ phase: 1, epoch: 2, stepsInEpoch: 4, checkpointWritten: true });
    expect(Math.max(...steps)).toBe(14);
    expect(events.at(-1)).toMatchObject({ event: "interrupted", phase: 1, epoch: 2, step: 14, stepsInEpoch: 4 });
  });

  test("checkpoint records the partial epoch", async () => {
    const { files } = await stoppedRun(14);
    const state = stateOf(files);

    expect(state).toMatchObject({ phase: 1, epoch: 1, partialEpoch: { steps: 4 } });
    expect((state.partialEpoch as { losses: Record<string, { count: number }> }).losses).toEqual({
      model: expect.objectContaining({ count: 4 }),
    });
  });

  test("resumed run matches an uninterrupted one", async () => {
    const straight = mlp(SPEC, 1);
    const straightResult = await train(await runOptions(straight));

    const { files } = await stoppedRun(14);
    const resumed = mlp(SPEC, 99);
    const events: TrainingEvent[] = [];
    const resumedResult: TrainResult = await train({
      ...(await runOptions(resumed)),
      resumeFrom: { files, location: "memory" },
      onEvent: (event) => void events.push(event),
    });

    expect(events.find((event) => event.event === "resume")).toMatchObject({ phase: 1, epoch: 2, stepsInEpoch: 4 });
    expect(events.find((event) => event.event === "step")).toMatchObject({ epoch: 2, step: 18 });
    expect(await bitsOf(resumed)).toEqual(await bitsOf(straight));
    expect(resumedResult.finalLosses).toEqual(straightResult.finalLosses);
    expect(resumedResult.testAccuracy).toBe(straightResult.testAccuracy);
  });

  test("stop at an epoch's last step saves the whole epoch", async () => {
    const { error, files } = await stoppedRun(20);

    expect(error).toMatchObject({ phase: 1, epoch: 2, stepsInEpoch: 10 });
    expect(stateOf(files)).toMatchObject({ phase: 1, epoch: 2 });
    expect(stateOf(files).partialEpoch).toBeUndefined();
  });

  test("without checkpoints only stops", async () => {
    const { error, events } = await stoppedRun(3, { checkpoint: false });

    expect(error).toMatchObject({ name: "TrainingInterruptedError", checkpointWritten: false });
    expect(events.at(-1)).toMatchObject({ event: "interrupted", files: [] });
  });

  test("rejects a partial epoch longer than this run's epochs", async () => {
    const { files } = await stoppedRun(14);
    const options = await runOptions(mlp(SPEC, 1));

    await expect(train({ ...options, batchSize: 100, resumeFrom: { files, location: "run-3" } })).rejects.toThrow(
      CheckpointFormatError,
    );
  });
});
