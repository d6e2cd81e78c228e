/** The DNI phase: its optimizers and auxiliary models, the zero start, the true-gradient interval and option checks. */
import { loadMnist } from "@modular/datasets";
import {
  type Batch,
  ConfigError,
  createOptimizer,
  mlp,
  type Module,
  type OptimizerSpec,
  splitBeforeOutput,
  splitEveryBlock,
  type TrainingContext,
} from "@modular/nn";
import { memory, tidy } from "@modular/tensor";
import { beforeAll, describe, expect, test } from "vitest";
import { cdni, dni, type DniOptions, SYNGRAD_PRESETS, SyntheticGradientModel } from "../src/index.js";

const SGD: OptimizerSpec = { kind: "sgd", lr: 0.05 };

const CONTEXT: TrainingContext = {
  epochs: 1,
  batchSize: 32,
  seed: 1,
  classes: 10,
  sampleShape: [1, 28, 28],
  optimizer: SGD,
  createOptimizer: () => createOptimizer(SGD),
};

function snapshot(module: Module): number[][] {
  return module.parameters().map((parameter) => Array.from(parameter.value.dataSync()));
}

function model() {
  return mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16, 8], classes: 10 }, 2);
}

let batch: Batch;

beforeAll(async () => {
  const { train } = await loadMnist();
  batch = train.slice(0, 32).batches({ batchSize: 32 })[Symbol.iterator]().next().value as Batch;
});

describe("DNI phase", () => {
  test("lists optimizers and synthetic-gradient models", () => {
    const modules = splitEveryBlock(model());
    const [phase] = cdni().plan(modules, CONTEXT);
    expect(modules).toHaveLength(3);
    expect(phase!.optimizers).toHaveLength(5);
    expect(phase!.auxiliary).toHaveLength(2);
    const [first, second] = phase!.auxiliary as SyntheticGradientModel[];
    expect(first).toBeInstanceOf(SyntheticGradientModel);
    expect(first!.features).toBe(16);
    expect(second!.features).toBe(8);
    expect(first!.conditionClasses).toBe(10);
    phase!.end?.();
  });

  test("first step leaves hidden modules unchanged", () => {
    const modules = splitBeforeOutput(model());
    const [phase] = dni({ alignmentEvery: 0 }).plan(modules, CONTEXT);
    const hiddenBefore = snapshot(modules[0]!);
    const outputBefore = snapshot(modules[1]!);

    tidy(() => void phase!.step(batch));

    // The synthetic-gradient model's last layer starts at zero, so its first prediction is 0.
    expect(snapshot(modules[0]!)).toEqual(hiddenBefore);
    expect(snapshot(modules[1]!)).not.toEqual(outputBefore);
    phase!.end?.();
  });

  test("takes true gradients every N steps", () => {
    const modules = splitBeforeOutput(model());
    const [phase] = dni({ trueGradientEvery: 3, alignmentEvery: 0 }).plan(modules, CONTEXT);
    const synthesizer = phase!.auxiliary![0]!;
    const regressed: boolean[] = [];
    const changed: boolean[] = [];

    for (let i = 0; i < 6; i++) {
      const before = snapshot(synthesizer);
      tidy(() => {
        regressed.push("synthetic gradient 1/1" in phase!.step(batch).losses);
      });
      changed.push(JSON.stringify(snapshot(synthesizer)) !== JSON.stringify(before));
    }

    expect(regressed).toEqual([true, false, false, true, false, false]);
    expect(changed).toEqual([true, false, false, true, false, false]);
    phase!.end?.();
  });

  test("keeps live tensors flat", async () => {
    const modules = splitEveryBlock(model());
    const [phase] = cdni({ alignmentEvery: 1 }).plan(modules, CONTEXT);
    const counts: number[] = [];

    for (let epoch = 0; epoch < 3; epoch++) {
      for (let i = 0; i < 4; i++) tidy(() => void phase!.step(batch));
      const report = await phase!.epochEnd!();
      expect(Object.keys(report?.stats ?? {})).toHaveLength(3);
      counts.push(memory().tensors);
    }

    // Plain SGD keeps no per-parameter state, so every epoch ends with the same tensors alive.
    expect(counts[2]).toBe(counts[1]);
    expect(counts[1]).toBe(counts[0]);
    phase!.end?.();
  });

  test("reports alignment per layer", async () => {
    const modules = splitBeforeOutput(model());
    const [phase] = dni({ alignmentEvery: 1, alignmentPer: "layer" }).plan(modules, CONTEXT);
    for (let i = 0; i < 3; i++) tidy(() => void phase!.step(batch));
    const stats = (await phase!.epochEnd!())?.stats ?? {};

    // Module 1 holds block 0 (Flatten, then Linear at index 1) and block 1
    // (Linear at index 0). Module 2 is the output Linear itself.
    expect(Object.keys(stats).sort()).toEqual([
      "alignment module 1/2 layer 0.1",
      "alignment module 1/2 layer 1.0",
      "alignment module 2/2 layer 0",
    ]);
    for (const angle of Object.values(stats)) {
      expect(angle).toBeGreaterThanOrEqual(0);
      expect(angle).toBeLessThanOrEqual(180);
    }
    phase!.end?.();
  });

  test.each([
    ["trueGradientEvery", { trueGradientEvery: 0 }, /trueGradientEvery 0 is invalid/],
    ["hiddenLayers", { hiddenLayers: 1.5 }, /hiddenLayers 1.5 is invalid/],
    ["width", { width: 0 }, /width 0 is invalid/],
    ["alignmentEvery", { alignmentEvery: -1 }, /alignmentEvery -1 is invalid/],
    ["alignmentPer", { alignmentPer: "parameter" }, /alignmentPer "parameter" is invalid/],
  ])("rejects invalid %s", (_, options, message) => {
    expect(() => dni(options as DniOptions)).toThrow(ConfigError);
    expect(() => dni(options as DniOptions)).toThrow(message);
  });

  test("rejects a single module", () => {
    const whole = model();
    expect(() => dni().plan([whole], CONTEXT)).toThrow(/at least two training modules, .* but got 1\./);
  });

  test("presets name both schemes", () => {
    expect(SYNGRAD_PRESETS.map((preset) => preset.name)).toEqual(["syngrad/dni", "syngrad/cdni"]);
    expect(SYNGRAD_PRESETS.map((preset) => preset.create().name)).toEqual(["syngrad/dni", "syngrad/cdni"]);
  });

  test("presets pass options to the factory", () => {
    for (const preset of SYNGRAD_PRESETS) {
      for (const key of Object.keys(preset.defaults)) expect(preset.optionNames).toContain(key);
      expect(preset.create({ ...preset.defaults }).name).toBe(preset.name);
      expect(() => preset.create({ trueGradientEvery: 0 })).toThrow(/trueGradientEvery 0/);
    }
  });
});
