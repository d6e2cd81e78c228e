/**
 * Reports of the kernel suite: one line per measurement for progress
 * output, and a Markdown section for `docs/benchmarks.md` with the table,
 * the command, the adapters, the machine and the date.
 */
import { formatAdapter } from "./adapter.js";
import { BenchDocumentError } from "./errors.js";
import type { Target } from "./options.js";
import { COMPARED_PAIRS, type KernelSuiteReport, type MeasuredCase, MLP_LABEL, type WorkloadName } from "./suite.js";

/** Markers around the section that `updateMarkedSection` replaces; text outside them is kept. */
export const SECTION_BEGIN = "<!-- @modular/bench kernels: begin -->";
export const SECTION_END = "<!-- @modular/bench kernels: end -->";

/** The provenance of a report (command and machine), for the Markdown section. */
export interface ReportContext {
  /** The command line that produced the report, e.g. "pnpm modular bench kernels --write-docs". */
  readonly command: string;
  /** One line on the machine: CPU, cores, memory, OS, runtime version. */
  readonly machine: string;
}

export function formatThroughput(value: number, unit: MeasuredCase["unit"]): string {
  let digits = 2;
  if (value >= 100) digits = 0;
  else if (value >= 10) digits = 1;
  return `${value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${unit}`;
}

export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

function workloadLabel(workload: WorkloadName, size: number): string {
  return workload === "matmul" ? `matmul ${size}×${size}` : `${MLP_LABEL}, batch ${size}`;
}

/** Format one progress line, e.g. "matmul 1024×1024 on webgpu: 4.10 GFLOP/s (median of 5 repeats of 3 iterations)". */
export function formatCaseLine(measured: MeasuredCase): string {
  const { timing } = measured;
  return (
    `${workloadLabel(measured.workload, measured.size)} on ${measured.target}: ` +
    `${formatThroughput(measured.throughput, measured.unit)}, ${timing.medianMs.toFixed(2)} ms per iteration ` +
    `(median of ${timing.samplesMs.length} repeats of ${timing.iterations} iterations)`
  );
}

/** Pairs of `COMPARED_PAIRS` whose two targets both ran. */
function comparedPairs(targets: readonly Target[]): (readonly [Target, Target])[] {
  return COMPARED_PAIRS.filter(([ours, peer]) => targets.includes(ours) && targets.includes(peer));
}

/** Format the results as a Markdown table: one row per workload, one column per target, then one per ratio. */
export function formatMarkdownTable(report: KernelSuiteReport): string {
  const targets = report.options.targets;
  const pairs = comparedPairs(targets);
  const header = ["workload", ...targets.map((target) => `\`${target}\``), ...pairs.map(([ours, peer]) => `${ours} / ${peer}`)];
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];

  const rows: [WorkloadName, number][] = report.options.sizes.map((size) => ["matmul", size]);
  if (report.options.mlpBatch > 0) rows.push(["mlp-step", report.options.mlpBatch]);
  for (const [workload, size] of rows) {
    const cells = [workloadLabel(workload, size)];
    for (const target of targets) {
      const measured = report.cases.find((c) => c.target === target && c.workload === workload && c.size === size);
      cells.push(measured === undefined ? "not run" : formatThroughput(measured.throughput, measured.unit));
    }
    for (const [ours, peer] of pairs) {
      const ratio = report.ratios.find((r) => r.ours === ours && r.peer === peer && r.workload === workload && r.size === size);
      cells.push(ratio === undefined ? "not run" : formatRatio(ratio.ratio));
    }
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Format the lines that name the adapter of each WebGPU target and whether ours and TensorFlow.js's were the same one. */
export function formatAdapterLines(report: KernelSuiteReport): string[] {
  const lines = Object.entries(report.adapters).map(([target, adapter]) => `Adapter of \`${target}\`: ${formatAdapter(adapter)}.`);
  if (report.sameAdapter === true) lines.push("Both WebGPU targets ran on the same adapter.");
  if (report.sameAdapter === false) lines.push("WARNING: the two WebGPU targets ran on different adapters, so their ratio compares hardware, not code.");
  return lines;
}

/** Format the whole Markdown section for `docs/benchmarks.md`, markers included. */
export function formatMarkdownSection(report: KernelSuiteReport, context: ReportContext): string {
  const { options } = report;
  const method =
    `Method: ${options.warmup} warm-up runs, then the median of ${options.repeats} timed repeats. Each of our ` +
    "targets runs next to its TensorFlow.js peer with their repeats interleaved, so that load from other jobs " +
    "affects both alike. A repeat runs " +
    `the workload back to back for at least ${options.minRepeatMs} ms and ends by reading the last result back to ` +
    `the host, so all queued GPU work has finished. The MLP step is forward, backward and one ${options.optimizer} ` +
    "update. Matmul inputs are uniform random float32 values in [0, 1).";
  return [
    SECTION_BEGIN,
    "## Kernel suite",
    "",
    "Generated by `@modular/bench`; rerun the command below to replace this section.",
    "",
    formatMarkdownTable(report),
    "",
    `Command: \`${context.command}\`. Date: ${report.startedAt.slice(0, 10)} (started ${report.startedAt}).`,
    "",
    ...formatAdapterLines(report).flatMap((line) => [line, ""]),
    `Machine: ${context.machine}.`,
    "",
    method,
    SECTION_END,
  ].join("\n");
}

/**
 * Replace the text between the markers (default `SECTION_BEGIN` and `SECTION_END`,
 * the kernel suite's; markers included) by `section`, or append `section` when
 * the markers are absent.
 * Throws when only one marker is present or they are out of order, since the
 * edit could then destroy hand-written text.
 */
export function updateMarkedSection(
  document: string,
  section: string,
  markers: { readonly begin: string; readonly end: string } = { begin: SECTION_BEGIN, end: SECTION_END },
): string {
  const begin = document.indexOf(markers.begin);
  const end = document.indexOf(markers.end);
  if (begin === -1 && end === -1) {
    const separator = document === "" || document.endsWith("\n\n") ? "" : document.endsWith("\n") ? "\n" : "\n\n";
    return `${document}${separator}${section}\n`;
  }
  if (begin === -1 || end === -1 || end < begin) {
    throw new BenchDocumentError(
      `The benchmark document has a broken section: expected "${markers.begin}" before "${markers.end}". ` +
        "Fix or remove the markers by hand, then rerun.",
    );
  }
  return document.slice(0, begin) + section + document.slice(end + markers.end.length);
}
