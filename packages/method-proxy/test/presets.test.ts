/**
 * Every preset, with its defaults and its own split, trains the embedded
 * MNIST far above chance (0.1) in a short run: an MLP with one hidden layer
 * of 64 units, 1,000 training images, 2 epochs per phase.
 */
import { loadMnist } from "@modular/datasets";
import { ConfigError, mlp, splitBeforeOutput, splitEveryBlock, train } from "@modular/nn";
import { describe, expect, test } from "vitest";
import { PROXY_PRESETS } from "../src/index.js";

describe("presets", () => {
  test("each names its paper and defaults", () => {
    for (const preset of PROXY_PRESETS) {
      expect(preset.paper).toMatch(/\d{4}$/);
      expect(preset.citation).toMatch(/ \d{4}$/);
      expect(preset.create().name).toBe(preset.name);
    }
  });

  test.each(PROXY_PRESETS.map((preset) => [preset.name, preset] as const))("%s takes its defaults as options", (_name, preset) => {
    for (const key of Object.keys(preset.defaults)) expect(preset.optionNames).toContain(key);
    expect(preset.create({ ...preset.defaults }).name).toBe(preset.name);
  });

  test("options reach the factory", () => {
    const kernel = PROXY_PRESETS.find((preset) => preset.name === "proxy/kernel")!;
    const predsim = PROXY_PRESETS.find((preset) => preset.name === "proxy/predsim")!;

    expect(() => kernel.create({ kernel: "laplace" })).toThrow(ConfigError);
    expect(() => kernel.create({ kernel: "laplace" })).toThrow(/unknown kernel "laplace"/);
    expect(() => predsim.create({ beta: 2 })).toThrow(/beta 2 is invalid/);
  });

  test("dgl rejects a greedy schedule", () => {
    const dgl = PROXY_PRESETS.find((preset) => preset.name === "proxy/dgl")!;

    expect(() => dgl.create({ schedule: "greedy" })).toThrow(/schedule "greedy" is invalid/);
  });

  // proxy/dgl-async needs the package's built `node` entry to start its
  // worker threads, so dgl-async.test.ts trains it through `dist` instead.
  const inProcess = PROXY_PRESETS.filter((preset) => preset.name !== "proxy/dgl-async");

  test.each(inProcess.map((preset) => [preset.name, preset] as const))("%s trains MNIST", async (_name, preset) => {
    const { train: trainSet, test: testSet } = await loadMnist();
    const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [64], classes: 10 }, 5);
    const modules = preset.split === "before-output" ? splitBeforeOutput(model) : splitEveryBlock(model);

    const result = await train({
      modules,
      method: preset.create(),
      train: trainSet.slice(0, 1000),
      test: testSet.slice(0, 500),
      epochs: 2,
      batchSize: 32,
      seed: 5,
      optimizer: { kind: "adam", lr: 1e-3 },
    });
    model.dispose();

    expect(result.testAccuracy).toBeGreaterThan(0.6);
  });
});
