/**
 * `modular bench kernels`: runs the kernel suite of `@modular/bench` and
 * prints its results, as progress lines and a table or as one JSON object.
 * With `--write-docs` it also replaces the generated section of a Markdown
 * file. The measuring happens in `@modular/bench`.
 */
import {
  describeMachine,
  formatAdapterLines,
  formatCaseLine,
  formatMarkdownSection,
  formatMarkdownTable,
  runKernelSuite,
  writeBenchmarksSection,
} from "@modular/bench";
import type { BenchConfig } from "./bench-options.js";
import type { OutputStream } from "./report/reporter.js";

/**
 * Runs the suite with `config`. `commandLine` is the command as the user
 * typed it, recorded in the JSON output and the Markdown section.
 */
export async function runBenchKernels(config: BenchConfig, stdout: OutputStream, commandLine: string): Promise<void> {
  const human = !config.json;
  const report = await runKernelSuite(config.suite, {
    onStart: (target, workload, size) => {
      if (human) stdout.write(`started ${workload} ${size} on ${target}\n`);
    },
    onCase: (measured) => {
      if (human) stdout.write(`${formatCaseLine(measured)}\n`);
    },
  });
  const machine = describeMachine();

  if (config.writeDocs !== undefined) {
    await writeBenchmarksSection(config.writeDocs, formatMarkdownSection(report, { command: commandLine, machine }));
  }

  if (config.json) {
    stdout.write(`${JSON.stringify({ ...report, command: commandLine, machine, wroteDocs: config.writeDocs ?? null })}\n`);
    return;
  }
  const lines = ["", formatMarkdownTable(report), "", ...formatAdapterLines(report), `Machine: ${machine}.`];
  if (config.writeDocs !== undefined) lines.push(`Wrote the kernel suite section of ${config.writeDocs}.`);
  stdout.write(`${lines.join("\n")}\n`);
}
