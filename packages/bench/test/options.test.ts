import { describe, expect, test } from "vitest";
import {
  BenchConfigError,
  DEFAULT_KERNEL_SUITE_OPTIONS,
  groupTargets,
  type KernelSuiteOptions,
  resolveKernelSuiteOptions,
  type Target,
} from "../src/index.js";

describe("resolveKernelSuiteOptions", () => {
  test("fills in every default", () => {
    expect(resolveKernelSuiteOptions()).toEqual(DEFAULT_KERNEL_SUITE_OPTIONS);
  });

  test("defaults cover the suite's sizes and targets", () => {
    expect(DEFAULT_KERNEL_SUITE_OPTIONS.sizes).toEqual([256, 512, 1024, 2048]);
    expect(DEFAULT_KERNEL_SUITE_OPTIONS.targets).toEqual(["webgpu", "tfjs-webgpu", "cpu"]);
    expect(DEFAULT_KERNEL_SUITE_OPTIONS.mlpBatch).toBe(128);
  });

  test("keeps given values", () => {
    const options: KernelSuiteOptions = { sizes: [8], targets: ["tfjs-cpu", "cpu"], repeats: 3, mlpBatch: 0, optimizer: "adam" };
    const resolved = resolveKernelSuiteOptions(options);
    expect(resolved.sizes).toEqual([8]);
    expect(resolved.targets).toEqual(["tfjs-cpu", "cpu"]);
    expect(resolved.repeats).toBe(3);
    expect(resolved.mlpBatch).toBe(0);
    expect(resolved.optimizer).toBe("adam");
  });

  test("undefined fields take the default", () => {
    expect(resolveKernelSuiteOptions({ repeats: undefined }).repeats).toBe(DEFAULT_KERNEL_SUITE_OPTIONS.repeats);
  });

  const invalid: readonly [string, KernelSuiteOptions, string][] = [
    ["zero size", { sizes: [0] }, "Matmul size 0 is invalid: expected an integer from 1 to 8192."],
    ["fractional size", { sizes: [12.5] }, "Matmul size 12.5 is invalid"],
    ["huge size", { sizes: [10_000] }, "Matmul size 10000 is invalid"],
    ["unknown target", { targets: ["tpu" as never] }, 'Unknown target "tpu". Valid targets: webgpu, tfjs-webgpu, cpu, tfjs-cpu.'],
    ["duplicate target", { targets: ["cpu", "cpu"] }, 'Target "cpu" is listed twice'],
    ["no targets", { targets: [] }, "targets is empty"],
    ["zero warmup", { warmup: 0 }, "warmup 0 is invalid: expected an integer from 1 to 1000."],
    ["zero repeats", { repeats: 0 }, "repeats 0 is invalid"],
    ["negative repeat time", { minRepeatMs: -1 }, "minRepeatMs -1 is invalid"],
    ["fractional batch", { mlpBatch: 1.5 }, "mlpBatch 1.5 is invalid"],
    ["unknown optimizer", { optimizer: "rmsprop" as never }, 'Unknown optimizer "rmsprop". Valid optimizers: sgd, adam.'],
    ["seed above 32 bits", { seed: 2 ** 32 }, "seed 4294967296 is invalid"],
    ["nothing to run", { sizes: [], mlpBatch: 0 }, "Nothing to run: sizes is empty and mlpBatch is 0."],
  ];

  test.each(invalid)("rejects %s", (_name, options, message) => {
    expect(() => resolveKernelSuiteOptions(options)).toThrow(BenchConfigError);
    expect(() => resolveKernelSuiteOptions(options)).toThrow(message);
  });
});

describe("groupTargets", () => {
  const cases: readonly [readonly Target[], Target[][]][] = [
    [["webgpu", "tfjs-webgpu", "cpu"], [["webgpu", "tfjs-webgpu"], ["cpu"]]],
    [["tfjs-cpu", "webgpu", "cpu"], [["tfjs-cpu", "cpu"], ["webgpu"]]],
    [["cpu", "webgpu", "tfjs-cpu", "tfjs-webgpu"], [["cpu", "tfjs-cpu"], ["webgpu", "tfjs-webgpu"]]],
    [["tfjs-webgpu"], [["tfjs-webgpu"]]],
  ];

  test.each(cases)("groups %j as %j", (targets, groups) => {
    expect(groupTargets(targets)).toEqual(groups);
  });
});
