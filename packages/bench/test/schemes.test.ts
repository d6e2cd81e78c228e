/**
 * The schemes suite on its quick MNIST workload, with `backprop` and a
 * scheme that never updates anything: what it records per run, how it
 * summarises, that it flags a scheme at chance, and its report and plots.
 */
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadMnist } from "@modular/datasets";
import { backprop, type Model, splitBeforeOutput, type TrainingMethod } from "@modular/nn";
import { describe, expect, test } from "vitest";
import { formatSchemesSection, runSchemesSuite, type SchemeEntry, type SchemesSuiteReport, summarizeRuns } from "../src/index.js";
import { writeSchemesReport } from "../src/node.js";

/** A method whose single phase steps without changing any weight: its accuracy stays at the untrained model's. */
function frozen(): TrainingMethod {
  return {
    name: "frozen",
    plan: () => [
      {
        label: "no updates",
        epochs: 1,
        trainable: [],
        optimizers: [],
        step: () => ({ losses: {} }),
      },
    ],
  };
}

const SCHEMES: SchemeEntry[] = [
  { name: "backprop", create: () => backprop(), split: (model: Model) => splitBeforeOutput(model) },
  { name: "frozen", create: frozen, split: (model: Model) => splitBeforeOutput(model) },
];

let cached: SchemesSuiteReport | undefined;
async function quickReport(): Promise<SchemesSuiteReport> {
  cached ??= await runSchemesSuite(
    { schemes: SCHEMES, loadDataset: () => loadMnist() },
    { quick: true, workloads: ["mnist-mlp"], seeds: [1, 2] },
  );
  return cached;
}

describe("schemes suite", () => {
  test("records accuracy, time, memory and a curve for every run", async () => {
    const report = await quickReport();

    expect(report.runs.map((run) => `${run.scheme} ${run.seed}`)).toEqual(["backprop 1", "backprop 2", "frozen 1", "frozen 2"]);
    const run = report.runs[0]!;
    expect(run.accuracy).toBeGreaterThan(0.8);
    expect(run.curve.map((point) => point.epochsSoFar)).toEqual([1, 2]);
    expect(run.curve.at(-1)!.accuracy).toBe(run.accuracy);
    expect(run.samplesPerSecond).toBeGreaterThan(0);
    expect(run.trainSeconds).toBeLessThanOrEqual(run.wallSeconds);
    expect(run.phases).toHaveLength(1);
    // Batch 128 through 784-256-128-10 keeps at least the weights (about 0.9 MB) and the input batch live.
    expect(run.peakTensorBytes).toBeGreaterThan(4 * (784 * 256 + 256 * 128 + 128 * 10 + 128 * 784));
    expect(run.peakHeapBytes).toBeGreaterThan(0);
  });

  test("summaries compare each scheme with backprop and flag one at chance", async () => {
    const report = await quickReport();
    const [baseline, stuck] = report.summaries;

    expect(baseline).toMatchObject({ scheme: "backprop", seeds: [1, 2], failsChance: false });
    expect(baseline!.accuracySd).toBeGreaterThanOrEqual(0);
    expect(stuck).toMatchObject({ scheme: "frozen", failsChance: true });
    expect(stuck!.pointsAgainstBackprop).toBeCloseTo((stuck!.accuracyMean - baseline!.accuracyMean) * 100, 10);
  });

  test("the standard deviation is the sample one", () => {
    const run = (accuracy: number, seed: number) =>
      ({ workload: "w", scheme: "backprop", seed, classes: 10, accuracy, wallSeconds: 1, trainSeconds: 1, samplesPerSecond: 1, peakTensorBytes: 1, peakHeapBytes: 1, phases: [], curve: [] });
    const [summary] = summarizeRuns([run(0.5, 1), run(0.7, 2)]);

    expect(summary!.accuracyMean).toBeCloseTo(0.6, 12);
    expect(summary!.accuracySd).toBeCloseTo(Math.SQRT2 * 0.1, 12);
  });

  test("report files and document section", async () => {
    const report = await quickReport();
    const dir = await mkdtemp(join(tmpdir(), "modular-schemes-"));
    try {
      const document = join(dir, "results.md");
      const { writeFile } = await import("node:fs/promises");
      await writeFile(document, "# Results\n\nHand-written text.\n");
      const context = { command: "modular bench schemes --quick", machine: "test machine" };
      await writeSchemesReport(report, context, join(dir, "run"), { path: document, plotDir: join(dir, "plots") });

      const files = (await readdir(join(dir, "run"))).sort();
      expect(files).toEqual([
        "accuracy-against-backprop.svg",
        "accuracy-per-epoch-mnist-mlp.svg",
        "peak-memory-mnist-mlp.svg",
        "schemes.json",
        "schemes.md",
      ]);
      const svg = await readFile(join(dir, "plots", "accuracy-per-epoch-mnist-mlp.svg"), "utf8");
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg).toContain("frozen");
      const text = await readFile(document, "utf8");
      expect(text).toContain("Hand-written text.");
      expect(text).toContain("](plots/accuracy-against-backprop.svg)");
      expect(text).toContain("`frozen` on mnist-mlp");
      expect(JSON.parse(await readFile(join(dir, "run", "schemes.json"), "utf8")).runs).toHaveLength(4);

      // A second write replaces the section instead of appending another.
      await writeSchemesReport(report, context, join(dir, "run"), { path: document, plotDir: join(dir, "plots") });
      const again = await readFile(document, "utf8");
      expect(again.split("## Every scheme against end-to-end backprop").length).toBe(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("the Markdown table has one row per scheme with the backprop difference", async () => {
    const report = await quickReport();
    const section = formatSchemesSection(report, [], { command: "c", machine: "m" }, "plots");
    const frozenRow = section.split("\n").find((line) => line.startsWith("| `frozen`"))!;

    expect(frozenRow).toContain("−");
    expect(frozenRow).toContain("**fails**");
  });

  test("worker peaks add to run peak", async () => {
    // A method that trains nothing but reports two workers' peaks, as proxy/dgl-async does.
    const workers: TrainingMethod = {
      name: "workers",
      plan: () => [
        {
          label: "in workers",
          epochs: 1,
          trainable: [],
          optimizers: [],
          step: () => ({ losses: {} }),
          epochEnd: async () => ({ stats: { "module 2/2 staleness": 0.5 }, workerPeakBytes: { "module 1/2": 3 * 2 ** 20, "module 2/2": 2 ** 20 } }),
        },
      ],
    };
    const schemes = [...SCHEMES, { name: "workers", create: () => workers, split: (model: Model) => splitBeforeOutput(model) }];
    const report = await runSchemesSuite(
      { schemes, loadDataset: () => loadMnist() },
      { quick: true, workloads: ["mnist-mlp"], schemes: ["workers"], seeds: [1] },
    );
    const run = report.runs.find((r) => r.scheme === "workers")!;

    expect(run.phases.map((phase) => phase.label)).toEqual(["in workers: main thread", "module 1/2 worker", "module 2/2 worker"]);
    expect(run.phases.slice(1).map((phase) => phase.peakTensorBytes)).toEqual([3 * 2 ** 20, 2 ** 20]);
    expect(run.peakTensorBytes).toBe(run.phases[0]!.peakTensorBytes + 4 * 2 ** 20);
  });

  test("without baseline runs named schemes", async () => {
    const report = await runSchemesSuite(
      { schemes: SCHEMES, loadDataset: () => loadMnist() },
      { quick: true, workloads: ["mnist-mlp"], schemes: ["frozen"], seeds: [1], baseline: false },
    );

    expect(report.runs.map((run) => run.scheme)).toEqual(["frozen"]);
    expect(report.summaries[0]!.pointsAgainstBackprop).toBeNaN();
  });

  test("skips a model the scheme cannot train", async () => {
    const convOnly: SchemeEntry = { ...SCHEMES[1]!, name: "conv-only", models: ["cnn"] };
    const report = await runSchemesSuite(
      { schemes: [...SCHEMES, convOnly], loadDataset: () => loadMnist() },
      { quick: true, workloads: ["mnist-mlp"], schemes: ["conv-only"], seeds: [1] },
    );

    expect(report.runs.map((run) => run.scheme)).toEqual(["backprop"]);
    expect(report.notRun).toEqual([{ workload: "mnist-mlp", scheme: "conv-only", reason: "trains `cnn` models only" }]);
    const section = formatSchemesSection(report, [], { command: "c", machine: "m" }, "plots");
    expect(section).toContain("Not run on this workload: `conv-only` (trains `cnn` models only).");
  });

  test("quick CNN lists slow schemes as not run", async () => {
    const slow: SchemeEntry = { ...SCHEMES[1]!, name: "fa/fa" };
    const report = await runSchemesSuite(
      { schemes: [...SCHEMES, slow], loadDataset: () => Promise.reject(new Error("no data needed")) },
      { quick: true, workloads: ["fashion-cnn"], schemes: ["fa/fa"], seeds: [1], baseline: false },
    );

    expect(report.runs).toEqual([]);
    expect(report.notRun).toHaveLength(1);
    expect(report.notRun![0]).toMatchObject({ workload: "fashion-cnn", scheme: "fa/fa" });
    expect(report.notRun![0]!.reason).toContain("needs over a hundred steps");
  });

  test("rejects an unknown workload or scheme with the valid names", async () => {
    const environment = { schemes: SCHEMES, loadDataset: () => loadMnist() };
    await expect(runSchemesSuite(environment, { quick: true, workloads: ["mnist-vgg"] })).rejects.toThrow(
      'Unknown workload "mnist-vgg". Valid workloads: mnist-mlp, fashion-mlp, fashion-cnn, fashion-vgg-q4.',
    );
    await expect(runSchemesSuite(environment, { quick: true, schemes: ["proxy/none"] })).rejects.toThrow(
      'Unknown scheme "proxy/none". Valid schemes: backprop, frozen.',
    );
  });
});
