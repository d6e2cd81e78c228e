/**
 * Merging parts of the schemes suite: runs from reports split by seed join
 * into one summary per scheme, and parts that disagree or overlap are
 * rejected with a message naming both.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { formatSchemesSection, mergeSchemesReports, type SchemeRun, type SchemesReportPart, type SchemesSuiteReport, summarizeRuns } from "../src/index.js";
import { readSchemesReport } from "../src/node.js";

const WORKLOAD = { id: "mnist-mlp", dataset: "mnist", model: "mlp", epochs: 2 } as const;

function run(scheme: string, seed: number, accuracy: number): SchemeRun {
  return {
    workload: WORKLOAD.id,
    scheme,
    seed,
    classes: 10,
    accuracy,
    wallSeconds: 10,
    trainSeconds: 8,
    samplesPerSecond: 1000,
    peakTensorBytes: 2 ** 20 * seed,
    peakHeapBytes: 2 ** 20,
    phases: [],
    curve: [],
  };
}

function part(name: string, runs: SchemeRun[], settings: Partial<SchemesSuiteReport> = {}): SchemesReportPart {
  const startedAt = `2026-12-0${runs[0]!.seed}T10:00:00.000Z`;
  const report: SchemesSuiteReport = {
    suite: "schemes",
    startedAt,
    quick: false,
    seeds: [...new Set(runs.map((r) => r.seed))],
    batchSize: 128,
    lr: 0.001,
    workloads: [WORKLOAD],
    runs,
    summaries: summarizeRuns(runs),
    ...settings,
  };
  return { report, source: { command: `modular bench schemes --seeds ${runs[0]!.seed}`, machine: "m", startedAt }, name };
}

describe("mergeSchemesReports", () => {
  test("joins seed parts into summaries", () => {
    const merged = mergeSchemesReports([
      part("seed2.json", [run("backprop", 2, 0.9), run("proxy/kernel", 2, 0.7)]),
      part("seed1.json", [run("proxy/kernel", 1, 0.8), run("backprop", 1, 0.8)]),
    ]);

    expect(merged.runs.map((r) => `${r.scheme} ${r.seed}`)).toEqual(["backprop 1", "backprop 2", "proxy/kernel 1", "proxy/kernel 2"]);
    expect(merged.seeds).toEqual([1, 2]);
    expect(merged.startedAt).toBe("2026-12-01T10:00:00.000Z");
    const [baseline, kernel] = merged.summaries;
    expect(baseline!.accuracyMean).toBeCloseTo(0.85, 12);
    expect(kernel!.accuracyMean).toBeCloseTo(0.75, 12);
    expect(kernel!.pointsAgainstBackprop).toBeCloseTo(-10, 10);
    expect(kernel!.peakTensorBytes).toBe(2 * 2 ** 20);
    expect(merged.sources!.map((source) => source.command)).toEqual(["modular bench schemes --seeds 2", "modular bench schemes --seeds 1"]);
  });

  test("compares with backprop per seed", () => {
    const merged = mergeSchemesReports([
      part("both.json", [run("backprop", 1, 0.8), run("backprop", 2, 0.9)]),
      part("pred.json", [run("proxy/pred", 1, 0.75)]),
      part("sim.json", [run("proxy/sim", 3, 0.7)]),
    ]);
    const pred = merged.summaries.find((summary) => summary.scheme === "proxy/pred")!;
    const sim = merged.summaries.find((summary) => summary.scheme === "proxy/sim")!;

    // Against backprop's seed 1 (0.8), not its mean over seeds 1 and 2 (0.85).
    expect(pred.pointsAgainstBackprop).toBeCloseTo(-5, 10);
    expect(sim.pointsAgainstBackprop).toBeNaN();
    const section = formatSchemesSection(merged, [], { command: "c", machine: "m" }, "plots");
    expect(section).toContain("| `proxy/pred` | 75.00 % (seed 1) | −5.00 |");
    expect(section).toContain("| `proxy/sim` | 70.00 % (seed 3) | no `backprop` run on these seeds |");
  });

  test("keeps the schemes not run", () => {
    const notRun = [{ workload: WORKLOAD.id, scheme: "auxvar/bcd", reason: "trains `mlp` models only" }];
    const merged = mergeSchemesReports([
      part("seed1.json", [run("backprop", 1, 0.8)], { notRun }),
      part("seed2.json", [run("backprop", 2, 0.9)], { notRun }),
    ]);

    expect(merged.notRun).toEqual(notRun);
  });

  test("the section names every part's command", () => {
    const merged = mergeSchemesReports([part("a", [run("backprop", 1, 0.8)]), part("b", [run("backprop", 2, 0.9)])]);
    const section = formatSchemesSection(merged, [], { command: "modular bench schemes --from a,b", machine: "m" }, "plots");

    expect(section).toContain("Merged by `modular bench schemes --from a,b` from 2 runs of the suite:");
    expect(section).toContain("- `modular bench schemes --seeds 1`, started 2026-12-01 10:00 UTC. Machine: m.");
    expect(section).toContain("| `backprop` | 85.00 ± 7.07 % |");
  });

  test("rejects a run in two parts", () => {
    expect(() => mergeSchemesReports([part("a.json", [run("backprop", 1, 0.8)]), part("b.json", [run("backprop", 1, 0.8)])])).toThrow(
      "Cannot merge a.json and b.json: both contain the run mnist-mlp backprop seed 1.",
    );
  });

  test("rejects different settings or workloads", () => {
    expect(() => mergeSchemesReports([part("a", [run("backprop", 1, 0.8)]), part("b", [run("backprop", 2, 0.8)], { lr: 0.01 })])).toThrow(
      "Cannot merge a and b: their lr differ (0.001 and 0.01).",
    );
    const longer = { ...WORKLOAD, epochs: 15 };
    expect(() =>
      mergeSchemesReports([part("a", [run("backprop", 1, 0.8)]), part("b", [run("backprop", 2, 0.8)], { workloads: [longer] })]),
    ).toThrow('Cannot merge a and b: they define workload "mnist-mlp" differently');
  });

  test("readSchemesReport rejects other files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "modular-merge-"));
    try {
      const file = join(dir, "schemes.json");
      await writeFile(file, JSON.stringify({ suite: "kernels" }));
      await expect(readSchemesReport(dir)).rejects.toThrow(`${file} is not a schemes report`);
      await expect(readSchemesReport(join(dir, "missing.json"))).rejects.toThrow("Cannot read");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
