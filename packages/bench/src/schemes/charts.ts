/**
 * The plots of the schemes report, as Vega-Lite specifications rendered to
 * SVG strings by Vega (no canvas needed, so this runs in Node.js and in
 * browsers). Each function returns the file name and the SVG.
 */
import { parse, View } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { SchemeSummary, SchemesSuiteReport } from "./suite.js";

export interface Plot {
  /** File name, e.g. "accuracy-per-epoch-mnist-mlp.svg". */
  readonly file: string;
  /** Title of the plot, used as the image's alternative text. */
  readonly title: string;
  readonly svg: string;
}

const MIB = 2 ** 20;

/** Render a Vega-Lite specification to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Test accuracy after every epoch of seed `seeds[0]`, one line per scheme, for one workload. */
function accuracyPerEpochSpec(report: SchemesSuiteReport, workload: string): TopLevelSpec {
  const seed = report.seeds[0];
  const values = report.runs
    .filter((run) => run.workload === workload && run.seed === seed)
    .flatMap((run) => run.curve.map((point) => ({ scheme: run.scheme, epoch: point.epochsSoFar, accuracy: point.accuracy })));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `${workload}: test accuracy after each epoch (seed ${seed})`,
    width: 520,
    height: 300,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "epoch", type: "quantitative", title: "epochs trained, all phases", axis: { tickMinStep: 1 } },
      y: { field: "accuracy", type: "quantitative", title: "test accuracy", scale: { domain: [0, 1] } },
      color: { field: "scheme", type: "nominal" },
    },
  };
}

/** Mean accuracy minus `backprop`'s per scheme, one bar per scheme and workload. */
function againstBackpropSpec(summaries: readonly SchemeSummary[]): TopLevelSpec {
  const values = summaries
    .filter((summary) => summary.scheme !== "backprop" && Number.isFinite(summary.pointsAgainstBackprop))
    .map((summary) => ({ scheme: summary.scheme, workload: summary.workload, points: summary.pointsAgainstBackprop }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Test accuracy against backprop (percentage points, mean over seeds)",
    data: { values },
    mark: "bar",
    encoding: {
      y: { field: "scheme", type: "nominal", title: null },
      x: { field: "points", type: "quantitative", title: "points against backprop" },
      color: { field: "workload", type: "nominal" },
      yOffset: { field: "workload", type: "nominal" },
    },
    width: 420,
  };
}

/** Peak tensor bytes per scheme: the whole run, and each training phase or worker thread beside it. */
function peakMemorySpec(summaries: readonly SchemeSummary[], workload: string): TopLevelSpec {
  const values = summaries
    .filter((summary) => summary.workload === workload)
    .flatMap((summary) => [
      { scheme: summary.scheme, part: "whole run", mib: summary.peakTensorBytes / MIB },
      ...summary.phases
        .filter((phase) => phase.worker !== true)
        .map((phase, index) => ({ scheme: summary.scheme, part: `phase ${index + 1}`, mib: phase.peakTensorBytes / MIB })),
      ...summary.phases
        .filter((phase) => phase.worker === true)
        .map((phase, index) => ({ scheme: summary.scheme, part: `worker ${index + 1}`, mib: phase.peakTensorBytes / MIB })),
    ]);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: `${workload}: peak tensor memory per scheme and per training phase (MiB)`,
    data: { values },
    mark: "bar",
    encoding: {
      y: { field: "scheme", type: "nominal", title: null },
      x: { field: "mib", type: "quantitative", title: "peak tensor MiB" },
      color: { field: "part", type: "nominal", title: null },
      yOffset: { field: "part", type: "nominal" },
    },
    width: 420,
  };
}

/** Render every plot of the report: accuracy per epoch and peak memory per workload, and accuracy against backprop. */
export async function schemesPlots(report: SchemesSuiteReport): Promise<Plot[]> {
  const plots: Plot[] = [];
  for (const workload of report.workloads) {
    plots.push({
      file: `accuracy-per-epoch-${workload.id}.svg`,
      title: `Test accuracy after each epoch on ${workload.id} (seed ${report.seeds[0]})`,
      svg: await renderSvg(accuracyPerEpochSpec(report, workload.id)),
    });
  }
  plots.push({
    file: "accuracy-against-backprop.svg",
    title: "Test accuracy of each scheme against backprop",
    svg: await renderSvg(againstBackpropSpec(report.summaries)),
  });
  for (const workload of report.workloads) {
    plots.push({
      file: `peak-memory-${workload.id}.svg`,
      title: `Peak tensor memory per scheme and per phase on ${workload.id}`,
      svg: await renderSvg(peakMemorySpec(report.summaries, workload.id)),
    });
  }
  return plots;
}
