/** The runner `train`: events, batching, the non-finite-loss stop and memory. */
import { memory, type MemoryInfo } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import {
  backprop,
  type BatchOptions,
  ConfigError,
  mlp,
  NonFiniteLossError,
  type TrainingEvent,
  type TrainOptions,
  train,
} from "../src/index.js";
import { binnedSource, emptyLog, probeMethod } from "./sources.js";

const ADAM = { kind: "adam", lr: 0.01 } as const;

function tinyModel() {
  return mlp({ kind: "mlp", inputShape: [4], hidden: [3], classes: 2 });
}

/** Train and collect every event. */
async function events(options: Omit<TrainOptions, "onEvent">): Promise<TrainingEvent[]> {
  const seen: TrainingEvent[] = [];
  await train({ ...options, onEvent: (event) => seen.push(event) });
  return seen;
}

describe("train events", () => {
  // 10 samples in batches of 4: steps of 4, 4 and 2 samples, so 3 steps per epoch.
  const options = () => {
    const model = tinyModel();
    return {
      model,
      run: {
        modules: [model],
        method: backprop(),
        train: binnedSource(10, 4, 2),
        test: binnedSource(6, 4, 2),
        epochs: 2,
        batchSize: 4,
        optimizer: ADAM,
        logEvery: 2,
      },
    };
  };

  test("come in order", async () => {
    const seen = await events(options().run);

    expect(seen.map((event) => (event.event === "step" ? `step ${event.step}` : event.event))).toEqual([
      "run-start",
      "phase-start",
      "step 2",
      "step 3",
      "epoch-end",
      "step 5",
      "step 6",
      "epoch-end",
      "phase-end",
      "evaluation",
      "done",
    ]);
  });

  test("run-start describes the run", async () => {
    const { model, run } = options();
    const [start] = await events(run);

    expect(start).toEqual({
      event: "run-start",
      method: "backprop",
      backend: "cpu",
      modules: 1,
      parameters: model.parameterCount(),
      auxiliaryParameters: 0,
      trainSamples: 10,
      labelKind: "classes",
      labelledSamples: 0,
      testSamples: 6,
      phases: [{ label: "end-to-end backprop", epochs: 2 }],
      checkpoints: false,
    });
  });

  test("phase-start counts steps with the partial batch", async () => {
    const seen = await events(options().run);

    expect(seen.find((event) => event.event === "phase-start")).toEqual({
      event: "phase-start",
      phase: 1,
      phases: 1,
      label: "end-to-end backprop",
      epochs: 2,
      stepsPerEpoch: 3,
      samples: 10,
    });
  });

  test("step and epoch-end carry finite losses by name", async () => {
    const seen = await events(options().run);
    const steps = seen.filter((event) => event.event === "step");
    const epochs = seen.filter((event) => event.event === "epoch-end");

    expect(steps.map(({ phase, epoch, step, totalSteps }) => [phase, epoch, step, totalSteps])).toEqual([
      [1, 1, 2, 6],
      [1, 1, 3, 6],
      [1, 2, 5, 6],
      [1, 2, 6, 6],
    ]);
    expect(epochs.map(({ phase, epoch }) => [phase, epoch])).toEqual([[1, 1], [1, 2]]);
    for (const event of [...steps, ...epochs]) {
      expect(Object.keys(event.losses)).toEqual(["model"]);
      expect(Number.isFinite(event.losses.model)).toBe(true);
    }
  });

  test("evaluation and done report the test accuracy", async () => {
    const seen: TrainingEvent[] = [];
    const result = await train({ ...options().run, onEvent: (event) => seen.push(event) });
    const evaluation = seen.find((event) => event.event === "evaluation");
    const done = seen.find((event) => event.event === "done");

    expect(evaluation).toEqual({ event: "evaluation", split: "test", accuracy: result.testAccuracy, samples: 6 });
    expect(done).toMatchObject({ event: "done", method: "backprop", testAccuracy: result.testAccuracy });
    expect(result.testAccuracy).toBeGreaterThanOrEqual(0);
    expect(result.testAccuracy).toBeLessThanOrEqual(1);
  });

  test("evaluateEachEpoch adds an evaluation after each epoch without changing the run", async () => {
    const plain = await train(options().run);
    const seen = await events({ ...options().run, evaluateEachEpoch: true });
    const evaluations = seen.filter((event) => event.event === "evaluation");
    const done = seen.find((event) => event.event === "done");

    expect(evaluations.map((event) => [event.phase, event.epoch])).toEqual([[1, 1], [1, 2], [undefined, undefined]]);
    expect(evaluations[1]!.accuracy).toBe(evaluations[2]!.accuracy);
    expect(done).toMatchObject({ testAccuracy: plain.testAccuracy });
  });

  test("without a test set there is no evaluation", async () => {
    const { test: _, ...run } = options().run;
    const seen: TrainingEvent[] = [];
    const result = await train({ ...run, onEvent: (event) => seen.push(event) });

    expect(seen.some((event) => event.event === "evaluation")).toBe(false);
    expect(result.testAccuracy).toBeUndefined();
    expect(seen.at(-1)).toMatchObject({ event: "done", testAccuracy: Number.NaN });
  });

  test("step events report the mean loss of their interval", async () => {
    const seen = await events({
      modules: [tinyModel()],
      method: probeMethod(emptyLog(), (step) => step),
      train: binnedSource(10, 4, 2),
      epochs: 2,
      batchSize: 4,
      optimizer: ADAM,
      logEvery: 2,
    });
    const losses = seen.flatMap((event) => (event.event === "step" ? [event.losses["probe module"]] : []));

    // Steps 1-2, 3, 4-5, 6.
    expect(losses).toEqual([1.5, 3, 4.5, 6]);
  });

  test("epoch-end reports the mean loss of the epoch", async () => {
    const seen = await events({
      modules: [tinyModel()],
      method: probeMethod(emptyLog(), (step) => step),
      train: binnedSource(10, 4, 2),
      epochs: 2,
      batchSize: 4,
      optimizer: ADAM,
      logEvery: 2,
    });
    const losses = seen.flatMap((event) => (event.event === "epoch-end" ? [event.losses["probe module"]] : []));

    expect(losses).toEqual([2, 5]);
  });

  test("phases run in order, each with begin and end", async () => {
    const log = emptyLog();
    const seen = await events({
      modules: [tinyModel()],
      method: probeMethod(log, () => 1, 2),
      train: binnedSource(4, 4, 2),
      epochs: 1,
      batchSize: 4,
      optimizer: ADAM,
    });

    expect(log.calls).toEqual(["begin probe phase 1", "end probe phase 1", "begin probe phase 2", "end probe phase 2"]);
    expect(seen.filter((event) => event.event === "phase-start").map((event) => event.label)).toEqual([
      "probe phase 1",
      "probe phase 2",
    ]);
  });

  test("finalLosses holds each phase's last-epoch mean", async () => {
    const result = await train({
      modules: [tinyModel()],
      method: probeMethod(emptyLog(), (step) => step, 2),
      train: binnedSource(10, 4, 2),
      epochs: 2,
      batchSize: 4,
      optimizer: ADAM,
    });

    expect(result.finalLosses).toEqual({
      "probe phase 1": { "probe module": 5 },
      "probe phase 2": { "probe module": 5 },
    });
  });
});

describe("train batching", () => {
  test("uses the last partial batch", async () => {
    const log = emptyLog();
    await train({
      modules: [tinyModel()],
      method: probeMethod(log),
      train: binnedSource(10, 4, 2),
      epochs: 2,
      batchSize: 4,
      optimizer: ADAM,
    });

    expect(log.batchSizes).toEqual([4, 4, 2, 4, 4, 2]);
  });

  test("visits every sample once per epoch", async () => {
    const log = emptyLog();
    await train({
      modules: [tinyModel()],
      method: probeMethod(log),
      train: binnedSource(10, 4, 2),
      epochs: 2,
      batchSize: 4,
      optimizer: ADAM,
    });
    const ids = log.firstValues.map((value) => Math.round(value * 10));
    const all = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

    expect(ids.slice(0, 10).sort((a, b) => a - b)).toEqual(all);
    expect(ids.slice(10).sort((a, b) => a - b)).toEqual(all);
  });

  test("shuffles each epoch differently", async () => {
    const log = emptyLog();
    await train({
      modules: [tinyModel()],
      method: probeMethod(log),
      train: binnedSource(32, 4, 2),
      epochs: 2,
      batchSize: 8,
      optimizer: ADAM,
    });

    expect(log.firstValues.slice(32)).not.toEqual(log.firstValues.slice(0, 32));
  });

  test("prefers prefetched batches", async () => {
    const data = binnedSource(10, 4, 2);
    const calls: string[] = [];
    const source = {
      size: data.size,
      classes: data.classes,
      batches: (options: BatchOptions) => {
        calls.push("batches");
        return data.batches(options);
      },
      prefetchBatches: (options: BatchOptions) => {
        calls.push("prefetchBatches");
        return data.prefetchBatches(options);
      },
    };
    const log = emptyLog();
    await train({ modules: [tinyModel()], method: probeMethod(log), train: source, epochs: 2, batchSize: 4, optimizer: ADAM });

    expect(calls).toEqual(["prefetchBatches", "prefetchBatches"]);
    expect(log.batchSizes).toEqual([4, 4, 2, 4, 4, 2]);
  });
});

describe("train non-finite loss", () => {
  // 10 samples in batches of 2: 5 steps per epoch, so step 7 is in epoch 2.
  const run = (log = emptyLog(), value = Number.NaN) =>
    train({
      modules: [tinyModel()],
      method: probeMethod(log, (step) => (step === 7 ? value : 1)),
      train: binnedSource(10, 4, 2),
      epochs: 3,
      batchSize: 2,
      optimizer: ADAM,
    });

  test.each([Number.NaN, Infinity, -Infinity])("%s stops training with NonFiniteLossError", async (value) => {
    await expect(run(emptyLog(), value)).rejects.toThrow(NonFiniteLossError);
  });

  test("error names the loss, the phase and step 7", async () => {
    const error = await run().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect(error).toMatchObject({
      lossName: "probe module",
      phase: "probe phase 1",
      epoch: 2,
      step: 7,
      value: Number.NaN,
    });
    expect((error as Error).message).toContain('loss "probe module" became NaN at step 7 (epoch 2) of phase "probe phase 1"');
  });

  test("training stops in the epoch of the bad step", async () => {
    const log = emptyLog();
    await run(log).catch(() => undefined);

    // Losses are read once per logging interval, so the rest of epoch 2 runs, but epoch 3 does not.
    expect(log.batchSizes.length).toBe(10);
  });

  test("the phase still ends", async () => {
    const log = emptyLog();
    await run(log).catch(() => undefined);

    expect(log.calls).toEqual(["begin probe phase 1", "end probe phase 1"]);
  });
});

describe("train memory", () => {
  test("stays flat across epochs of backprop", async () => {
    const atEpochEnd: MemoryInfo[] = [];
    const model = mlp({ kind: "mlp", inputShape: [8], hidden: [16, 16], classes: 3 });
    await train({
      modules: [model],
      method: backprop(),
      train: binnedSource(100, 8, 3),
      epochs: 5,
      batchSize: 16,
      optimizer: ADAM,
      logEvery: 3,
      onEvent: (event) => {
        if (event.event === "epoch-end") atEpochEnd.push(memory());
      },
    });

    expect(atEpochEnd).toHaveLength(5);
    expect(atEpochEnd[4]!.tensors).toBe(atEpochEnd[0]!.tensors);
    expect(atEpochEnd[4]!.bytes).toBe(atEpochEnd[0]!.bytes);
  });

  test("leaves only the model's tensors", async () => {
    const model = mlp({ kind: "mlp", inputShape: [8], hidden: [16], classes: 3 });
    const before = memory();
    await train({
      modules: [model],
      method: backprop(),
      train: binnedSource(40, 8, 3),
      test: binnedSource(20, 8, 3),
      epochs: 2,
      batchSize: 16,
      optimizer: ADAM,
    });

    expect(memory()).toEqual(before);
  });
});

describe("train options", () => {
  test.each([
    ["epochs", { epochs: 0 }, "epochs 0 is invalid; it must be a positive integer."],
    ["batchSize", { batchSize: 2.5 }, "batchSize 2.5 is invalid; it must be a positive integer."],
    ["logEvery", { logEvery: -1 }, "logEvery -1 is invalid; it must be a positive integer."],
  ])("rejects an invalid %s", async (_, override, message) => {
    const run = train({
      modules: [tinyModel()],
      method: backprop(),
      train: binnedSource(4, 4, 2),
      epochs: 1,
      batchSize: 2,
      optimizer: ADAM,
      ...override,
    });

    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(message);
  });
});
