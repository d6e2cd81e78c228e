/// <reference types="node" />
/// <reference types="@webgpu/types" />
/**
 * `@modular/bench` for Node.js, selected by the `node` export condition. It
 * adds four things to the default entry. `navigator.gpu` comes from Dawn
 * (the `webgpu` npm package, the one `@modular/tensor` uses), so that
 * TensorFlow.js's WebGPU backend runs in Node.js. `describeMachine` names the
 * machine, `writeBenchmarksSection` updates `docs/benchmarks.md`, and
 * `writeSchemesReport` writes a schemes run to disk. The peers suite, which
 * runs TensorFlow.js's wasm backend and PyTorch in a child process, exists
 * only here.
 */
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import type { DatasetSplit } from "@modular/datasets";
import type { KernelSuiteOptions } from "./options.js";
import { resolveKernelSuiteOptions } from "./options.js";
import { BenchConfigError } from "./errors.js";
import { type ReportContext, updateMarkedSection } from "./report.js";
import { schemesPlots } from "./schemes/charts.js";
import { formatSchemesSection, SCHEMES_SECTION } from "./schemes/report.js";
import type { SchemesReportPart } from "./schemes/merge.js";
import type { SchemesSuiteReport } from "./schemes/suite.js";
import { type PeersSuiteOptions, resolvePeersSuiteOptions } from "./peers/options.js";
import { type PeersSuiteHooks, type PeersSuiteReport, runPeersSuite as runPeersSuiteWithHooks } from "./peers/suite.js";
import { type KernelSuiteHooks, type KernelSuiteReport, runKernelSuite as runKernelSuiteOnGlobals } from "./suite.js";

export * from "./index.js";
export {
  DEFAULT_PEER_TARGETS,
  DEFAULT_PYTHON,
  PEER_TARGETS,
  type PeerTarget,
  PEERS_BASELINE,
  PEERS_MLP_HIDDEN,
  type PeersSuiteOptions,
  type ResolvedPeersSuiteOptions,
  resolvePeersSuiteOptions,
} from "./peers/options.js";
export { formatPeerLine, formatPeersSection, formatPeersTable, PEERS_SECTION } from "./peers/report.js";
export {
  computePeerRatios,
  type PeerMeasured,
  type PeerRatio,
  type PeerResult,
  type PeersSuiteHooks,
  type PeersSuiteReport,
  type PeerUnavailable,
} from "./peers/suite.js";
export { TORCH_INSTALL_COMMAND } from "./peers/torch-peer.js";

/**
 * The GPU entry point this module installed. Holding it matters: once Dawn's
 * instance is garbage-collected, devices created from it crash the process.
 */
let installedGpu: GPU | undefined;

/**
 * Make `navigator.gpu` available, from the `webgpu` package when the runtime
 * has none, and return it. `@modular/tensor`'s `webgpu` backend and
 * TensorFlow.js's then request their adapters from the same GPU instance.
 */
export async function installNodeWebGpu(): Promise<GPU> {
  const navigatorObject = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (navigatorObject?.gpu !== undefined) return navigatorObject.gpu;

  const dawn = (await import("webgpu")) as unknown as { create(options: string[]): GPU; globals: object };
  // WebGPU code reads Dawn's GPUBufferUsage and similar constants as globals.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  installedGpu = dawn.create([]);

  // Node.js 20 has no `navigator`; Node.js 21 and later have one without `gpu`.
  if (navigatorObject === undefined) {
    Object.defineProperty(globalThis, "navigator", { value: { gpu: installedGpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(navigatorObject, "gpu", { value: installedGpu, configurable: true });
  }
  return installedGpu;
}

/** Describe this machine in one line, e.g. "AMD EPYC 7B13, 2 cores, 24 GiB, linux 6.1.0, Node.js v20.20.2". */
export function describeMachine(): string {
  const processors = cpus();
  const model = processors[0]?.model.trim() ?? "unknown CPU";
  const memoryGiB = Math.round(totalmem() / 2 ** 30);
  return `${model}, ${processors.length} cores, ${memoryGiB} GiB, ${platform()} ${release()}, Node.js ${process.version}`;
}

/**
 * `runKernelSuite` of the default entry, after installing Dawn's
 * `navigator.gpu` when a WebGPU target is requested.
 */
export async function runKernelSuite(options: KernelSuiteOptions = {}, hooks: KernelSuiteHooks = {}): Promise<KernelSuiteReport> {
  const resolved = resolveKernelSuiteOptions(options);
  if (resolved.targets.some((target) => target === "webgpu" || target === "tfjs-webgpu")) await installNodeWebGpu();
  return runKernelSuiteOnGlobals(resolved, hooks);
}

/**
 * Run the peers suite (see `runPeersSuite` of `./peers/suite.ts`), after
 * installing Dawn's `navigator.gpu` when `webgpu` is requested. It records
 * the machine's 1-minute load average unless `hooks.loadAverage` is given.
 */
export async function runPeersSuite(
  data: DatasetSplit,
  datasetName: string,
  options: PeersSuiteOptions = {},
  hooks: PeersSuiteHooks = {},
): Promise<PeersSuiteReport> {
  const resolved = resolvePeersSuiteOptions(options);
  if (resolved.targets.includes("webgpu")) await installNodeWebGpu();
  return runPeersSuiteWithHooks(data, datasetName, options, { loadAverage: () => loadavg()[0]!, ...hooks });
}

/**
 * Replace the generated section of the Markdown file `path` by `section`, or
 * append it. The rest of the file is kept; a missing file is created.
 * `markers` default to the kernel suite's (`SECTION_BEGIN`, `SECTION_END`).
 */
export async function writeBenchmarksSection(
  path: string,
  section: string,
  markers?: { readonly begin: string; readonly end: string },
): Promise<void> {
  let document = "";
  try {
    document = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await writeFile(path, updateMarkedSection(document, section, markers));
}

/**
 * Read a `schemes.json` that `writeSchemesReport` wrote, from its path or its
 * folder, for `mergeSchemesReports`. Throws `BenchConfigError` when the file
 * is missing or is not such a report.
 */
export async function readSchemesReport(path: string): Promise<SchemesReportPart> {
  let file = path;
  let text: string;
  try {
    if ((await stat(path)).isDirectory()) file = join(path, "schemes.json");
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new BenchConfigError(`Cannot read ${file}: ${(error as Error).message}. Give a schemes.json written by modular bench schemes, or its folder.`);
  }
  let parsed: Partial<SchemesSuiteReport & ReportContext>;
  try {
    parsed = JSON.parse(text) as Partial<SchemesSuiteReport & ReportContext>;
  } catch (error) {
    throw new BenchConfigError(`${file} is not JSON (${(error as Error).message}). Give a schemes.json written by modular bench schemes.`);
  }
  const isReport =
    parsed.suite === "schemes" && Array.isArray(parsed.runs) && Array.isArray(parsed.workloads) && parsed.runs.every((run) => typeof run?.classes === "number");
  if (!isReport || typeof parsed.command !== "string" || typeof parsed.machine !== "string" || typeof parsed.startedAt !== "string") {
    throw new BenchConfigError(
      `${file} is not a schemes report with its runs, workloads, command and machine. Give a schemes.json written by modular bench schemes.`,
    );
  }
  const report = parsed as SchemesSuiteReport & ReportContext;
  return { report, source: { command: report.command, machine: report.machine, startedAt: report.startedAt }, name: file };
}

/** Paths of the files that `writeSchemesReport` wrote. */
export interface SchemesReportFiles {
  readonly json: string;
  readonly markdown: string;
  readonly plots: readonly string[];
  /** The document whose generated section was replaced, when one was given. */
  readonly document?: string;
}

/**
 * Write a schemes run into `outDir`: the raw results as `schemes.json`, the
 * Markdown report as `schemes.md` and its SVG plots. With `document`, also
 * replace the generated section of that Markdown file (e.g.
 * `docs/results.md`), with the plots copied to `plotDir` beside it.
 */
export async function writeSchemesReport(
  report: SchemesSuiteReport,
  context: ReportContext,
  outDir: string,
  document?: { readonly path: string; readonly plotDir: string },
): Promise<SchemesReportFiles> {
  await mkdir(outDir, { recursive: true });
  const plots = await schemesPlots(report);
  const json = join(outDir, "schemes.json");
  // The command and machine travel with the runs, so that a merge of several files can name them all.
  await writeFile(json, `${JSON.stringify({ ...report, ...context }, null, 2)}\n`);
  const plotFiles: string[] = [];
  for (const plot of plots) {
    const file = join(outDir, plot.file);
    await writeFile(file, plot.svg);
    plotFiles.push(file);
  }
  const markdown = join(outDir, "schemes.md");
  await writeFile(markdown, `${formatSchemesSection(report, plots, context, ".")}\n`);
  if (document === undefined) return { json, markdown, plots: plotFiles };

  await mkdir(document.plotDir, { recursive: true });
  for (const plot of plots) await writeFile(join(document.plotDir, plot.file), plot.svg);
  let text = "";
  try {
    text = await readFile(document.path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const plotDirFromDocument = relative(join(document.path, ".."), document.plotDir) || ".";
  const section = formatSchemesSection(report, plots, context, plotDirFromDocument);
  await writeFile(document.path, updateMarkedSection(text, section, SCHEMES_SECTION));
  return { json, markdown, plots: plotFiles, document: document.path };
}
