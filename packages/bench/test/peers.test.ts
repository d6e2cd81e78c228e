/**
 * Tiny real runs of the peers suite: our cpu backend, TensorFlow.js cpu
 * and wasm in this process, and PyTorch through the shipped script. They
 * check what the suite measures and reports, never how fast anything is.
 * They import the built Node.js entry, because TensorFlow.js runs from the
 * bundle that tsup makes (see tsup.config.ts). PyTorch needs Debian's
 * python3-torch, which scripts/setup.sh installs.
 */
import { fileURLToPath } from "node:url";
import { loadMnist } from "@modular/datasets";
import { requireBuiltEntries } from "@modular/testing/build-output";
import { describe, expect, test } from "vitest";

const DIST = fileURLToPath(new URL("../dist", import.meta.url));
requireBuiltEntries(DIST, ["node.js"]);
const bench: typeof import("../src/node.js") = await import("../dist/node.js");

/** 64 training samples in two batches of 32, one epoch, one timed repeat of one step. */
// Five targets, TensorFlow.js's start-up and a Python child process take minutes on a loaded 2-core machine.
const RUN_TIMEOUT_MS = 300_000;
const TINY = { limitTrain: 64, limitTest: 100, epochs: 1, batchSize: 32, warmup: 1, repeats: 1, minRepeatMs: 0, seed: 2 } as const;

const data = await loadMnist();

describe("peers suite", () => {
  test("measures every default target alike", async () => {
    const started: string[] = [];
    const report = await bench.runPeersSuite(data, "embedded MNIST", TINY, { onStart: (target) => started.push(target) });

    expect(started).toEqual([...bench.DEFAULT_PEER_TARGETS]);
    expect(report.results.map((result) => result.target)).toEqual([...bench.DEFAULT_PEER_TARGETS]);
    expect(report.dataset).toEqual({ name: "embedded MNIST", trainSamples: 64, testSamples: 100 });
    expect(report.widths).toEqual([784, 512, 512, 10]);
    expect(report.torch?.torch).toMatch(/^1\.13/);
    expect(report.loadAverage?.start).toBeGreaterThanOrEqual(0);

    for (const result of report.results) {
      expect(result.status, `${result.target}: ${JSON.stringify(result)}`).toBe("measured");
      if (result.status !== "measured") continue;
      expect(result.timing.samplesMs).toHaveLength(1);
      expect(result.samplesPerSecond).toBeCloseTo((32 * 1000) / result.timing.medianMs, 6);
      expect(Number.isFinite(result.samplesPerSecond)).toBe(true);
      expect(result.samplesPerSecond).toBeGreaterThan(0);
      expect(result.trainSeconds).toBeGreaterThan(0);
    }
    expect(report.ratios.map((ratio) => ratio.target)).toEqual(["tfjs-cpu", "tfjs-wasm", "torch-linear", "torch-conv1d"]);

    // Same weights, same sample order, two Adam steps: only float rounding differs, so at most a few of 100 predictions may flip.
    const accuracies = report.results.map((result) => (result.status === "measured" ? result.accuracy : Number.NaN));
    for (const accuracy of accuracies) expect(Math.abs(accuracy - accuracies[0]!)).toBeLessThanOrEqual(0.03);
  }, RUN_TIMEOUT_MS);

  test("missing python reports torch unavailable", async () => {
    const report = await bench.runPeersSuite(data, "embedded MNIST", { ...TINY, targets: ["torch-conv1d", "torch-linear"], python: "/nonexistent/python3" });

    expect(report.results.map((result) => [result.target, result.status])).toEqual([
      ["cpu", "measured"],
      ["torch-conv1d", "unavailable"],
      ["torch-linear", "unavailable"],
    ]);
    const unavailable = report.results[1]!;
    if (unavailable.status !== "unavailable") throw new Error("expected an unavailable result");
    expect(unavailable.reason).toContain("/nonexistent/python3 was not found");
    expect(unavailable.fix).toBe(bench.TORCH_INSTALL_COMMAND);
    expect(report.ratios).toEqual([]);
    expect(report.torch).toBeUndefined();
  }, RUN_TIMEOUT_MS);
});
