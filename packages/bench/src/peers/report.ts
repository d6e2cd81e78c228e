/**
 * Reports of the peers suite: one progress line per target, and the
 * Markdown section of `docs/benchmarks.md` with the table, the command, the
 * machine, its load and the date.
 */
import { formatRatio, type ReportContext } from "../report.js";
import { PEERS_BASELINE } from "./options.js";
import type { PeerMeasured, PeerResult, PeersSuiteReport } from "./suite.js";

/** Markers around the generated peers section; text outside them is kept. */
export const PEERS_SECTION = {
  begin: "<!-- @modular/bench peers: begin -->",
  end: "<!-- @modular/bench peers: end -->",
} as const;

function samplesPerSecond(value: number): string {
  return `${Math.round(value).toLocaleString("en-US")} samples/s`;
}

function percent(accuracy: number): string {
  return `${(accuracy * 100).toFixed(2)} %`;
}

function points(value: number): string {
  return `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(2)}`;
}

/** Format one progress line, e.g. "tfjs-wasm: 861 samples/s per step, test accuracy 93.10 % after 3 epochs (41.2 s)". */
export function formatPeerLine(result: PeerResult, epochs: number): string {
  if (result.status === "unavailable") return `${result.target}: unavailable, ${result.reason}. To install: ${result.fix}.`;
  return (
    `${result.target}: ${samplesPerSecond(result.samplesPerSecond)} per step ` +
    `(median of ${result.timing.samplesMs.length} repeats of ${result.timing.iterations} steps), ` +
    `test accuracy ${percent(result.accuracy)} after ${epochs} epoch${epochs === 1 ? "" : "s"} (${result.trainSeconds.toFixed(1)} s of training)`
  );
}

function measuredRow(report: PeersSuiteReport, result: PeerMeasured): string {
  const ratio = report.ratios.find((entry) => entry.target === result.target);
  // The baseline's speed ratio is 1 by definition; its accuracy cell stays empty.
  let speedRatio = "";
  let accuracyRatio = "";
  if (result.target === PEERS_BASELINE) {
    speedRatio = "1.00×";
  } else if (ratio !== undefined) {
    speedRatio = formatRatio(ratio.samplesPerSecond);
    accuracyRatio = `${formatRatio(ratio.accuracy)} (${points(ratio.accuracyPoints)} points)`;
  }
  const cells = [
    `\`${result.target}\``,
    result.library,
    result.threads === undefined ? "GPU" : String(result.threads),
    samplesPerSecond(result.samplesPerSecond),
    speedRatio,
    percent(result.accuracy),
    accuracyRatio,
    result.trainSeconds.toFixed(1),
  ];
  return `| ${cells.join(" | ")} |`;
}

/** Format the results as a Markdown table, one row per target; unavailable targets name the install command. */
export function formatPeersTable(report: PeersSuiteReport): string {
  const lines = [
    `| target | library and backend | threads | training step | ÷ \`${PEERS_BASELINE}\` | test accuracy | ÷ \`${PEERS_BASELINE}\` | training time (s) |`,
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const result of report.results) {
    if (result.status === "measured") {
      lines.push(measuredRow(report, result));
    } else {
      lines.push(`| \`${result.target}\` | unavailable: ${result.reason}; install with \`${result.fix}\` | | | | | | |`);
    }
  }
  return lines.join("\n");
}

function describeLoad(report: PeersSuiteReport): string {
  if (report.loadAverage === undefined) return "";
  const { start, end } = report.loadAverage;
  return ` The 1-minute load average was ${start.toFixed(1)} when the suite started and ${end.toFixed(1)} when it ended.`;
}

/** Format the whole Markdown section for `docs/benchmarks.md`, markers included. */
export function formatPeersSection(report: PeersSuiteReport, context: ReportContext): string {
  const { options, dataset } = report;
  const epochs = `${options.epochs} epoch${options.epochs === 1 ? "" : "s"}`;
  const setup =
    `Every target trains the MLP ${report.widths.join("-")} (ReLU, softmax cross-entropy) end to end with Adam ` +
    `(learning rate ${options.lr}, β1 0.9, β2 0.999, ε 1e-8) at batch ${options.batchSize}. All start from the same ` +
    `initial weights, drawn by our \`mlp\` with seed ${options.seed}, and visit the ${dataset.trainSamples.toLocaleString("en-US")} ` +
    `training samples of ${dataset.name} in the same order for ${epochs}. Test accuracy is measured on ` +
    `${dataset.testSamples.toLocaleString("en-US")} test samples.`;
  const timing =
    `Training step: ${options.warmup} warm-up steps, then the median of ${options.repeats} timed repeats of at least ` +
    `${options.minRepeatMs} ms each, on the first batch of epoch 1; samples/s is the batch size over the median step time. ` +
    "Targets run one after another, not interleaved, so load from other jobs can favour one target over another.";
  const torch =
    report.torch === undefined
      ? []
      : [
          `PyTorch ${report.torch.torch} runs in a child process (Python ${report.torch.python}, ${report.torch.threads} ` +
            `thread${report.torch.threads === 1 ? "" : "s"}). Debian's build links a reference BLAS, so \`torch-linear\` ` +
            "(`nn.Linear`) is slow. `torch-conv1d` writes the same layers as 1-wide `conv1d`, which runs through oneDNN, " +
            "so it shows PyTorch with optimised CPU kernels. Read PyTorch's speed from the `torch-conv1d` row.",
          "",
        ];
  return [
    PEERS_SECTION.begin,
    "## Peer comparison",
    "",
    "Generated by `@modular/bench`; rerun the command below to replace this section.",
    "",
    formatPeersTable(report),
    "",
    `Command: \`${context.command}\`. Date: ${report.startedAt.slice(0, 10)} (started ${report.startedAt}).`,
    "",
    `Machine: ${context.machine}.${describeLoad(report)}`,
    "",
    setup,
    "",
    timing,
    "",
    ...torch,
    `Ratios divide each target's figure by that of \`${PEERS_BASELINE}\`, our JavaScript backend; above 1× the target is faster or more accurate.`,
    PEERS_SECTION.end,
  ].join("\n");
}
