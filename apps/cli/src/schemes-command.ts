/**
 * `modular bench schemes`: trains every registered scheme and `backprop`
 * with the schemes suite of `@modular/bench`, prints a line per run, and
 * writes the raw JSON, the Markdown report and its SVG plots. With `--from`
 * it trains nothing and merges the reports of earlier runs instead. It fails
 * (exit 1) when a scheme is not clearly above chance.
 */
import {
  describeMachine,
  mergeSchemesReports,
  readSchemesReport,
  runSchemesSuite,
  type SchemeDatasetName,
  type SchemesSuiteReport,
  writeSchemesReport,
} from "@modular/bench";
import { setBackend } from "@modular/tensor";
import { SchemeBelowChanceError } from "./errors.js";
import { DATASETS } from "./registry/datasets.js";
import { findEntry } from "./registry/entry.js";
import { METHODS } from "./registry/methods.js";
import type { OutputStream } from "./report/reporter.js";
import type { SchemesConfig } from "./schemes-options.js";

export async function runBenchSchemes(config: SchemesConfig, stdout: OutputStream, commandLine: string): Promise<void> {
  const report =
    config.from === undefined ? await trainSchemes(config, stdout) : mergeSchemesReports(await Promise.all(config.from.map(readSchemesReport)));
  const context = { command: commandLine, machine: describeMachine() };
  const files = await writeSchemesReport(report, context, config.out, config.writeDocs);

  if (config.json) {
    stdout.write(`${JSON.stringify({ ...report, ...context, files })}\n`);
  } else {
    const lines = [
      ...(report.notRun ?? []).map((entry) => `Not run on ${entry.workload}: ${entry.scheme}, which ${entry.reason.replaceAll("`", "")}.`),
      `Wrote ${files.json}, ${files.markdown} and ${files.plots.length} plots.`,
    ];
    if (report.sources !== undefined) {
      lines.unshift(`Merged ${report.runs.length} runs from ${report.sources.length} report${report.sources.length === 1 ? "" : "s"}.`);
    }
    if (files.document !== undefined) lines.push(`Wrote the schemes section of ${files.document}.`);
    stdout.write(`${lines.join("\n")}\n`);
  }
  const failing = report.summaries.filter((summary) => summary.failsChance);
  if (failing.length > 0) {
    const names = failing.map((summary) => `${summary.scheme} on ${summary.workload} (${(summary.accuracyMean * 100).toFixed(2)} %)`);
    throw new SchemeBelowChanceError(`Not clearly above chance (twice the chance level): ${names.join(", ")}.`);
  }
}

/** Train the chosen schemes, printing a line as each run starts and ends. */
async function trainSchemes(config: SchemesConfig, stdout: OutputStream): Promise<SchemesSuiteReport> {
  await setBackend(config.backend);
  const human = !config.json;
  const loadDataset = (name: SchemeDatasetName) => findEntry(DATASETS, name, "dataset").load({ csvLabel: "label" });
  return runSchemesSuite(
    { schemes: METHODS, loadDataset },
    {
      quick: config.quick,
      baseline: config.baseline,
      ...(config.workloads === undefined ? {} : { workloads: config.workloads }),
      ...(config.schemes === undefined ? {} : { schemes: config.schemes }),
      ...(config.seeds === undefined ? {} : { seeds: config.seeds }),
    },
    {
      onRunStart: (workload, scheme, seed) => {
        if (human) stdout.write(`${workload.id} ${scheme} seed ${seed}: training\n`);
      },
      onRun: (run) => {
        if (!human) return;
        stdout.write(
          `${run.workload} ${run.scheme} seed ${run.seed}: test accuracy ${(run.accuracy * 100).toFixed(2)} %, ` +
            `${run.wallSeconds.toFixed(1)} s, ${Math.round(run.samplesPerSecond)} samples/s, ` +
            `peak ${(run.peakTensorBytes / 2 ** 20).toFixed(1)} MiB of tensors\n`,
        );
      },
    },
  );
}
