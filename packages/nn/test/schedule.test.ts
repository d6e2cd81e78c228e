/** Learning-rate schedules: the rate at each position, and how the runner applies them. */
import "@modular/testing";
import { describe, expect, test } from "vitest";
import {
  backprop,
  ConfigError,
  constantLr,
  cosineLr,
  linearWarmupLr,
  type LrSchedule,
  mlp,
  type Phase,
  stepLr,
  train,
  type TrainingMethod,
  warmupCosineLr,
  withWarmup,
} from "../src/index.js";
import { binnedSource } from "./sources.js";

function rates(schedule: LrSchedule, count: number, baseLr = 1): number[] {
  return Array.from({ length: count }, (_, position) => schedule.rate(position, baseLr));
}

describe("schedules", () => {
  test.each<[string, LrSchedule, number[]]>([
    ["constant", constantLr(), [1, 1, 1]],
    ["step every 2 by 0.5", stepLr({ stepSize: 2, gamma: 0.5 }), [1, 1, 0.5, 0.5, 0.25]],
    ["cosine over 4", cosineLr({ total: 4 }), [1, 0.8535534, 0.5, 0.1464466, 0, 0]],
    ["cosine to 0.2", cosineLr({ total: 2, minLr: 0.2 }), [1, 0.6, 0.2, 0.2]],
    ["linear warm-up over 4", linearWarmupLr({ warmup: 4 }), [0, 0.25, 0.5, 0.75, 1, 1]],
    ["warm-up from 0.5", linearWarmupLr({ warmup: 2, startFactor: 0.5 }), [0.5, 0.75, 1]],
    ["warm-up 2 then cosine 2", warmupCosineLr({ warmup: 2, total: 4 }), [0, 0.5, 1, 0.5, 0]],
    ["warm-up then step", withWarmup(stepLr({ stepSize: 1, gamma: 0.5 }), { warmup: 1 }), [0, 1, 0.5, 0.25]],
  ])("%s", (_name, schedule, expected) => {
    expect(rates(schedule, expected.length)).toBeAllClose(expected, { atol: 1e-6 });
  });

  test("scale with the base rate", () => {
    expect(stepLr({ stepSize: 1, gamma: 0.5 }).rate(2, 0.4)).toBeCloseTo(0.1, 12);
  });

  test("step per epoch unless told", () => {
    expect(cosineLr({ total: 3 }).interval).toBe("epoch");
    expect(cosineLr({ total: 3, interval: "batch" }).interval).toBe("batch");
    expect(withWarmup(stepLr({ stepSize: 1, interval: "batch" }), { warmup: 2 }).interval).toBe("batch");
  });

  test.each([
    ["stepSize 0", () => stepLr({ stepSize: 0 })],
    ["negative gamma", () => stepLr({ stepSize: 1, gamma: -1 })],
    ["total 0", () => cosineLr({ total: 0 })],
    ["fractional warm-up", () => linearWarmupLr({ warmup: 1.5 })],
    ["total not after warm-up", () => warmupCosineLr({ warmup: 3, total: 3 })],
  ])("reject %s", (_name, build) => {
    expect(build).toThrow(ConfigError);
  });
});

/** A method whose one phase records its optimizer's rate at every step. */
function rateProbe(seen: number[]): TrainingMethod {
  return {
    name: "rate probe",
    plan(modules, context): Phase[] {
      const optimizer = context.createOptimizer();
      return [
        {
          label: "probe",
          epochs: context.epochs,
          trainable: modules,
          optimizers: [optimizer],
          step() {
            seen.push(optimizer.lr);
            return { losses: {} };
          },
        },
      ];
    },
  };
}

describe("train with a schedule", () => {
  // 6 samples in batches of 2: 3 steps per epoch.
  const run = (schedule: LrSchedule, seen: number[]) =>
    train({
      modules: [mlp({ kind: "mlp", inputShape: [2], hidden: [], classes: 2 })],
      method: rateProbe(seen),
      train: binnedSource(6, 2, 2),
      epochs: 3,
      batchSize: 2,
      optimizer: { kind: "sgd", lr: 0.8 },
      schedule,
    });

  test("sets the rate before each epoch", async () => {
    const seen: number[] = [];
    await run(stepLr({ stepSize: 1, gamma: 0.5 }), seen);

    expect(seen).toEqual([0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2]);
  });

  test("sets the rate before each batch when asked", async () => {
    const seen: number[] = [];
    await run(linearWarmupLr({ warmup: 4, interval: "batch" }), seen);

    expect(seen).toBeAllClose([0, 0.2, 0.4, 0.6, 0.8, 0.8, 0.8, 0.8, 0.8], { atol: 1e-12 });
  });

  test("rejects a phase without optimizers", async () => {
    const method: TrainingMethod = {
      name: "no optimizers",
      plan: (modules, context) => [{ label: "bare", epochs: context.epochs, trainable: modules, step: () => ({ losses: {} }) }],
    };

    await expect(
      train({
        modules: [],
        method,
        train: binnedSource(4, 2, 2),
        epochs: 1,
        batchSize: 2,
        optimizer: { kind: "sgd", lr: 0.1 },
        schedule: constantLr(),
      }),
    ).rejects.toThrow(/phase "bare" lists no optimizers/);
  });

  test("backprop exposes its optimizer", () => {
    const model = mlp({ kind: "mlp", inputShape: [2], hidden: [], classes: 2 });
    const context = {
      epochs: 1,
      batchSize: 2,
      seed: 0,
      classes: 2,
      optimizer: { kind: "sgd", lr: 0.1 } as const,
      createOptimizer: () => ({ lr: 0.1, step() {}, dispose() {} }),
    };

    expect(backprop().plan([model], context)[0]!.optimizers).toHaveLength(1);
  });
});
