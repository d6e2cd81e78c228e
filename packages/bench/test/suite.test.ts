/**
 * Tiny runs of the kernel suite on real backends. They check what the suite
 * measures and reports, never how fast anything is. They import the built
 * Node.js entry, because TensorFlow.js runs from the bundle that tsup makes
 * (see tsup.config.ts).
 */
import { fileURLToPath } from "node:url";
import { requireBuiltEntries } from "@modular/testing/build-output";
import { afterAll, describe, expect, test } from "vitest";

const DIST = fileURLToPath(new URL("../dist", import.meta.url));
requireBuiltEntries(DIST, ["node.js"]);
const bench: typeof import("../src/node.js") = await import("../dist/node.js");

const TINY = { warmup: 1, repeats: 2, minRepeatMs: 0, seed: 3 } as const;

afterAll(async () => {
  // Dawn's device threads keep the worker alive until the backends are disposed.
  const { disposeBackends } = await import("@modular/tensor");
  disposeBackends();
});

describe("kernel suite on cpu", () => {
  test("measures every workload on every target", async () => {
    const started: string[] = [];
    const finished: string[] = [];
    const report = await bench.runKernelSuite(
      { ...TINY, sizes: [8, 16], targets: ["cpu", "tfjs-cpu"], mlpBatch: 4 },
      {
        onStart: (target, workload, size) => started.push(`${target} ${workload} ${size}`),
        onCase: (measured) => finished.push(`${measured.target} ${measured.workload} ${measured.size}`),
      },
    );

    // A target and its peer run each workload together.
    const expected = ["cpu matmul 8", "tfjs-cpu matmul 8", "cpu matmul 16", "tfjs-cpu matmul 16", "cpu mlp-step 4", "tfjs-cpu mlp-step 4"];
    expect(started).toEqual(expected);
    expect(finished).toEqual(expected);
    expect(report.cases.map((c) => `${c.target} ${c.workload} ${c.size}`)).toEqual(expected);
    for (const measured of report.cases) {
      expect(measured.timing.samplesMs).toHaveLength(2);
      expect(measured.throughput).toBeGreaterThan(0);
      expect(Number.isFinite(measured.throughput)).toBe(true);
      expect(measured.unit).toBe(measured.workload === "matmul" ? "GFLOP/s" : "samples/s");
    }
  });

  test("reports ratios and no adapter", async () => {
    const report = await bench.runKernelSuite({ ...TINY, sizes: [8], targets: ["cpu", "tfjs-cpu"], mlpBatch: 2 });
    expect(report.ratios.map((r) => `${r.ours}/${r.peer} ${r.workload} ${r.size}`)).toEqual([
      "cpu/tfjs-cpu matmul 8",
      "cpu/tfjs-cpu mlp-step 2",
    ]);
    expect(report.adapters).toEqual({});
    expect(report.sameAdapter).toBeNull();
    expect(report.options.targets).toEqual(["cpu", "tfjs-cpu"]);
  });

  test("trains with adam as well", async () => {
    const report = await bench.runKernelSuite({ ...TINY, sizes: [], targets: ["cpu", "tfjs-cpu"], mlpBatch: 2, optimizer: "adam" });
    expect(report.cases.map((c) => c.workload)).toEqual(["mlp-step", "mlp-step"]);
  });

  test("rejects invalid options before running", async () => {
    await expect(bench.runKernelSuite({ targets: ["cuda" as never] })).rejects.toThrow(bench.BenchConfigError);
  });

  test("passes on the error of a target that cannot start", async () => {
    const createRunner = async (): Promise<never> => {
      throw new bench.BenchUnavailableError("no such device");
    };
    await expect(bench.runKernelSuite({ ...TINY, sizes: [8], targets: ["cpu"] }, { createRunner })).rejects.toThrow("no such device");
  });
});

describe("kernel suite on webgpu", () => {
  test("runs ours and TensorFlow.js on the same adapter", async () => {
    const report = await bench.runKernelSuite({ ...TINY, sizes: [16], targets: ["webgpu", "tfjs-webgpu"], mlpBatch: 2 });
    expect(report.adapters.webgpu).toBeDefined();
    expect(report.adapters["tfjs-webgpu"]).toEqual(report.adapters.webgpu);
    expect(report.sameAdapter).toBe(true);
    expect(report.ratios.map((r) => `${r.workload} ${r.size}`)).toEqual(["matmul 16", "mlp-step 2"]);
  });
});
