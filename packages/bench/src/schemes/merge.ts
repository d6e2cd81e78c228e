/**
 * Merging runs of the schemes suite. The full suite takes many hours on a
 * small machine, so it can run in parts: one process per seed or per
 * workload, on the same machine or on several. `mergeSchemesReports` joins
 * their `schemes.json` files into one report, as if one run had produced
 * them, and keeps where each part came from.
 */
import { BenchConfigError } from "../errors.js";
import { type NotRunScheme, type SchemeRun, type SchemesRunSource, type SchemesSuiteReport, summarizeRuns } from "./suite.js";
import type { SchemeWorkload } from "./workloads.js";

/** One report to merge, with its provenance and a name for error messages (e.g. its file). */
export interface SchemesReportPart {
  readonly report: SchemesSuiteReport;
  readonly source: SchemesRunSource;
  readonly name: string;
}

function checkSetting(parts: readonly SchemesReportPart[], setting: "quick" | "batchSize" | "lr"): void {
  const first = parts[0]!;
  for (const part of parts.slice(1)) {
    if (part.report[setting] !== first.report[setting]) {
      throw new BenchConfigError(
        `Cannot merge ${first.name} and ${part.name}: their ${setting} differ (${first.report[setting]} and ${part.report[setting]}). ` +
          "Merge only runs made with the same settings.",
      );
    }
  }
}

function sameWorkload(a: SchemeWorkload, b: SchemeWorkload): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Join the runs of several reports into one, with summaries recomputed over
 * all of them. Runs are ordered by workload, then scheme (`backprop` first),
 * then seed. Throws `BenchConfigError` when the parts used different
 * settings, define a workload differently, or both contain the same run
 * (workload, scheme and seed): split a suite by seed or by workload so each
 * run happens once.
 */
export function mergeSchemesReports(parts: readonly SchemesReportPart[]): SchemesSuiteReport {
  if (parts.length === 0) throw new BenchConfigError("Nothing to merge: give at least one schemes.json.");
  checkSetting(parts, "quick");
  checkSetting(parts, "batchSize");
  checkSetting(parts, "lr");

  const workloads: SchemeWorkload[] = [];
  const workloadFrom = new Map<string, string>();
  for (const part of parts) {
    for (const workload of part.report.workloads) {
      const known = workloads.find((existing) => existing.id === workload.id);
      if (known === undefined) {
        workloads.push(workload);
        workloadFrom.set(workload.id, part.name);
      } else if (!sameWorkload(known, workload)) {
        throw new BenchConfigError(
          `Cannot merge ${workloadFrom.get(workload.id)} and ${part.name}: they define workload "${workload.id}" differently ` +
            `(${JSON.stringify(known)} and ${JSON.stringify(workload)}).`,
        );
      }
    }
  }

  const runFrom = new Map<string, string>();
  const runs: SchemeRun[] = [];
  for (const part of parts) {
    for (const run of part.report.runs) {
      const key = `${run.workload} ${run.scheme} seed ${run.seed}`;
      const earlier = runFrom.get(key);
      if (earlier !== undefined) {
        throw new BenchConfigError(
          `Cannot merge ${earlier} and ${part.name}: both contain the run ${key}. ` +
            "Split the suite so that each run happens once, e.g. one part per seed with --seeds.",
        );
      }
      runFrom.set(key, part.name);
      runs.push(run);
    }
  }

  const schemeOrder = ["backprop", ...new Set(runs.map((run) => run.scheme).filter((scheme) => scheme !== "backprop"))];
  const workloadOrder = workloads.map((workload) => workload.id);
  runs.sort(
    (a, b) =>
      workloadOrder.indexOf(a.workload) - workloadOrder.indexOf(b.workload) ||
      schemeOrder.indexOf(a.scheme) - schemeOrder.indexOf(b.scheme) ||
      a.seed - b.seed,
  );

  const sources = parts.flatMap((part) => part.report.sources ?? [part.source]);
  const notRun = new Map<string, NotRunScheme>();
  for (const entry of parts.flatMap((part) => part.report.notRun ?? [])) notRun.set(`${entry.workload} ${entry.scheme}`, entry);
  const first = parts[0]!.report;
  return {
    suite: "schemes",
    startedAt: parts.map((part) => part.report.startedAt).sort()[0]!,
    quick: first.quick,
    seeds: [...new Set(runs.map((run) => run.seed))].sort((a, b) => a - b),
    batchSize: first.batchSize,
    lr: first.lr,
    workloads,
    runs,
    summaries: summarizeRuns(runs, (id) => workloads.find((workload) => workload.id === id)?.memoryOnly === true),
    ...(notRun.size > 0 ? { notRun: [...notRun.values()] } : {}),
    sources,
  };
}
