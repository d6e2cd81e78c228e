/**
 * Options, ratios and the Markdown section of the peers suite, on hand-made
 * results. Real runs are in peers.test.ts.
 */
import { describe, expect, test } from "vitest";
import { BenchConfigError } from "../src/errors.js";
import { resolvePeersSuiteOptions } from "../src/peers/options.js";
import { formatPeerLine, formatPeersSection, formatPeersTable, PEERS_SECTION } from "../src/peers/report.js";
import { computePeerRatios, type PeerMeasured, type PeerResult, type PeersSuiteReport } from "../src/peers/suite.js";
import type { PeerTarget } from "../src/peers/options.js";
import { SECTION_BEGIN, SECTION_END, updateMarkedSection } from "../src/report.js";

function measured(target: PeerTarget, samplesPerSecond: number, accuracy: number): PeerMeasured {
  const medianMs = (128 * 1000) / samplesPerSecond;
  return {
    target,
    status: "measured",
    library: `library of ${target}`,
    threads: 1,
    timing: { medianMs, samplesMs: [medianMs, medianMs], iterations: 3 },
    samplesPerSecond,
    accuracy,
    trainSeconds: 12.5,
  };
}

function sampleReport(results: PeerResult[]): PeersSuiteReport {
  return {
    suite: "peers",
    startedAt: "2026-12-05T05:00:00.000Z",
    options: resolvePeersSuiteOptions({}),
    dataset: { name: "the embedded MNIST subset", trainSamples: 8000, testSamples: 2000 },
    widths: [784, 512, 512, 10],
    loadAverage: { start: 3.5, end: 4.25 },
    torch: { torch: "1.13.0a0", threads: 1, mkldnn: true, python: "3.11.2" },
    results,
    ratios: computePeerRatios(results),
  };
}

const CONTEXT = { command: "pnpm modular bench peers --write-docs", machine: "test machine, 2 cores" };

describe("peers options", () => {
  test("defaults run every target but webgpu", () => {
    const options = resolvePeersSuiteOptions();

    expect(options.targets).toEqual(["cpu", "tfjs-cpu", "tfjs-wasm", "torch-linear", "torch-conv1d"]);
    expect(options).toMatchObject({ batchSize: 128, epochs: 3, lr: 0.001, seed: 1, warmup: 2, repeats: 5, minRepeatMs: 200 });
    expect(options.limitTrain).toBeUndefined();
    expect(options.python).toBe("/usr/bin/python3");
  });

  test("quick shrinks data, epochs and repeats", () => {
    const options = resolvePeersSuiteOptions({ quick: true });

    expect(options).toMatchObject({ epochs: 1, limitTrain: 2000, limitTest: 1000, warmup: 1, repeats: 3, minRepeatMs: 100 });
  });

  test("cpu is added first as the baseline", () => {
    expect(resolvePeersSuiteOptions({ targets: ["torch-conv1d"] }).targets).toEqual(["cpu", "torch-conv1d"]);
    expect(resolvePeersSuiteOptions({ targets: ["tfjs-wasm", "cpu"] }).targets).toEqual(["cpu", "tfjs-wasm"]);
  });

  test.each([
    ["unknown target", { targets: ["cuda"] as unknown as PeerTarget[] }, 'Unknown peers target "cuda"'],
    ["duplicate target", { targets: ["tfjs-cpu", "tfjs-cpu"] as PeerTarget[] }, 'Target "tfjs-cpu" is listed twice'],
    ["zero epochs", { epochs: 0 }, "epochs 0 is invalid"],
    ["fractional batch", { batchSize: 1.5 }, "batchSize 1.5 is invalid"],
    ["negative learning rate", { lr: -1 }, "Learning rate -1 is invalid"],
    ["empty python", { python: " " }, "python is empty"],
  ])("%s is rejected", (_name, options, message) => {
    expect(() => resolvePeersSuiteOptions(options)).toThrow(BenchConfigError);
    expect(() => resolvePeersSuiteOptions(options)).toThrow(message);
  });
});

describe("peer ratios", () => {
  test("divide each target by cpu", () => {
    const ratios = computePeerRatios([measured("cpu", 1000, 0.9), measured("tfjs-wasm", 500, 0.88), measured("torch-conv1d", 20_000, 0.9)]);

    expect(ratios.map((ratio) => ratio.target)).toEqual(["tfjs-wasm", "torch-conv1d"]);
    expect(ratios[0]!.samplesPerSecond).toBeCloseTo(0.5, 12);
    expect(ratios[0]!.accuracy).toBeCloseTo(0.88 / 0.9, 12);
    expect(ratios[0]!.accuracyPoints).toBeCloseTo(-2, 10);
    expect(ratios[1]!.samplesPerSecond).toBeCloseTo(20, 12);
  });

  test("skip unavailable targets", () => {
    const unavailable: PeerResult = { target: "torch-linear", status: "unavailable", reason: "no torch", fix: "apt-get install python3-torch" };

    expect(computePeerRatios([measured("cpu", 1000, 0.9), unavailable])).toEqual([]);
  });

  test("are empty without a measured cpu", () => {
    expect(computePeerRatios([measured("tfjs-cpu", 300, 0.9)])).toEqual([]);
  });
});

describe("peers section", () => {
  const report = sampleReport([
    measured("cpu", 1000, 0.9),
    measured("torch-conv1d", 20_000, 0.91),
    { target: "torch-linear", status: "unavailable", reason: "/usr/bin/python3 cannot import torch", fix: "sudo apt-get install python3-torch" },
  ]);

  test("table has a row per target with ratios", () => {
    const table = formatPeersTable(report);

    expect(table).toContain("| `cpu` | library of cpu | 1 | 1,000 samples/s | 1.00× | 90.00 % |  | 12.5 |");
    expect(table).toContain("| `torch-conv1d` | library of torch-conv1d | 1 | 20,000 samples/s | 20.00× | 91.00 % | 1.01× (+1.00 points) | 12.5 |");
    expect(table).toContain("| `torch-linear` | unavailable: /usr/bin/python3 cannot import torch; install with `sudo apt-get install python3-torch` |");
  });

  test("section states command, machine, load and settings", () => {
    const section = formatPeersSection(report, CONTEXT);

    expect(section.startsWith(PEERS_SECTION.begin)).toBe(true);
    expect(section.endsWith(PEERS_SECTION.end)).toBe(true);
    expect(section).toContain("Command: `pnpm modular bench peers --write-docs`. Date: 2026-12-05");
    expect(section).toContain("Machine: test machine, 2 cores. The 1-minute load average was 3.5 when the suite started and 4.3 when it ended.");
    expect(section).toContain("visit the 8,000 training samples of the embedded MNIST subset in the same order for 3 epochs");
    expect(section).toContain("PyTorch 1.13.0a0 runs in a child process (Python 3.11.2, 1 thread)");
  });

  test("replaces only its own marked section", () => {
    const kernels = `${SECTION_BEGIN}\nkernel table\n${SECTION_END}`;
    const document = `# Benchmarks\n\n${kernels}\n\n${PEERS_SECTION.begin}\nold peers\n${PEERS_SECTION.end}\n\nHand-written notes.\n`;
    const section = formatPeersSection(report, CONTEXT);

    const updated = updateMarkedSection(document, section, PEERS_SECTION);

    expect(updated).toContain(kernels);
    expect(updated).toContain("Hand-written notes.");
    expect(updated).not.toContain("old peers");
    expect(updated).toContain(section);
  });

  test("progress line of an unavailable target names the fix", () => {
    const line = formatPeerLine(report.results[2]!, 3);

    expect(line).toBe("torch-linear: unavailable, /usr/bin/python3 cannot import torch. To install: sudo apt-get install python3-torch.");
  });
});
