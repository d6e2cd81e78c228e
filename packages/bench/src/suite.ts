/**
 * The kernel suite: square matmuls and one MLP training step on each target,
 * in one process. Each of our targets is compared with its TensorFlow.js peer
 * by the ratio of their throughputs, measured with interleaved repeats.
 */
import { type AdapterSummary, sameAdapter } from "./adapter.js";
import { createModularRunner } from "./modular-runner.js";
import { type KernelSuiteOptions, type ResolvedKernelSuiteOptions, resolveKernelSuiteOptions, type Target } from "./options.js";
import { createTfjsRunner } from "./tfjs-runner.js";
import { measureInterleaved, type Timing } from "./timing.js";
import { matmulFlops, MLP_WIDTHS, type TargetRunner, type Workload } from "./workload.js";

export type WorkloadName = "matmul" | "mlp-step";

/** The measurement of one workload on one target. */
export interface MeasuredCase {
  readonly workload: WorkloadName;
  /** Matrix size n for `matmul`, batch size for `mlp-step`. */
  readonly size: number;
  readonly target: Target;
  readonly timing: Timing;
  /** GFLOP/s for `matmul` (2·n³ per product), samples/s for `mlp-step`. */
  readonly throughput: number;
  readonly unit: "GFLOP/s" | "samples/s";
}

/** Throughput of one of our targets divided by that of its TensorFlow.js peer, on one workload. */
export interface Ratio {
  readonly workload: WorkloadName;
  readonly size: number;
  readonly ours: Target;
  readonly peer: Target;
  readonly ratio: number;
}

export interface KernelSuiteReport {
  readonly suite: "kernels";
  /** ISO 8601 time at which the suite started. */
  readonly startedAt: string;
  readonly options: ResolvedKernelSuiteOptions;
  /** The WebGPU adapter of each WebGPU target that ran. */
  readonly adapters: Partial<Record<Target, AdapterSummary>>;
  /** Whether `webgpu` and `tfjs-webgpu` ran on the same adapter; null unless both ran. */
  readonly sameAdapter: boolean | null;
  readonly cases: readonly MeasuredCase[];
  readonly ratios: readonly Ratio[];
}

/** Pairs of (ours, peer) whose ratio the report gives. */
export const COMPARED_PAIRS: readonly (readonly [Target, Target])[] = [
  ["webgpu", "tfjs-webgpu"],
  ["cpu", "tfjs-cpu"],
];

export interface KernelSuiteHooks {
  /** Called before each workload is prepared and measured. */
  readonly onStart?: (target: Target, workload: WorkloadName, size: number) => void;
  /** Called with each finished measurement. */
  readonly onCase?: (measured: MeasuredCase) => void;
  /** Creates the runner of a target. Default: ours for `webgpu`/`cpu`, TensorFlow.js for `tfjs-*`. */
  readonly createRunner?: (target: Target) => Promise<TargetRunner>;
}

export function createRunner(target: Target): Promise<TargetRunner> {
  return target === "webgpu" || target === "cpu" ? createModularRunner(target) : createTfjsRunner(target);
}

/**
 * Split `targets` into groups that run together: each of our targets with
 * its TensorFlow.js peer when both are requested, every other target alone.
 * Groups keep the order of their first target.
 */
export function groupTargets(targets: readonly Target[]): Target[][] {
  const groups: Target[][] = [];
  const placed = new Set<Target>();
  for (const target of targets) {
    if (placed.has(target)) continue;
    const pair = COMPARED_PAIRS.find(([ours, peer]) => (target === ours || target === peer) && targets.includes(ours) && targets.includes(peer));
    const group = pair === undefined ? [target] : [target, pair[0] === target ? pair[1] : pair[0]];
    for (const member of group) placed.add(member);
    groups.push(group);
  }
  return groups;
}

/** List the workloads of the suite in run order, each as (name, size). */
function workloadList(options: ResolvedKernelSuiteOptions): [WorkloadName, number][] {
  const list: [WorkloadName, number][] = options.sizes.map((size) => ["matmul", size]);
  if (options.mlpBatch > 0) list.push(["mlp-step", options.mlpBatch]);
  return list;
}

function toCase(workload: WorkloadName, size: number, target: Target, timing: Timing): MeasuredCase {
  if (workload === "matmul") {
    return { workload, size, target, timing, throughput: matmulFlops(size) / (timing.medianMs * 1e6), unit: "GFLOP/s" };
  }
  return { workload, size, target, timing, throughput: (size * 1000) / timing.medianMs, unit: "samples/s" };
}

/**
 * Run every workload on a group of targets, with the timed repeats of the
 * group's targets interleaved (see `measureInterleaved`).
 */
async function runGroup(
  runners: readonly TargetRunner[],
  options: ResolvedKernelSuiteOptions,
  hooks: KernelSuiteHooks,
): Promise<MeasuredCase[]> {
  const cases: MeasuredCase[] = [];
  for (const [workload, size] of workloadList(options)) {
    for (const runner of runners) hooks.onStart?.(runner.target, workload, size);

    const prepared: Workload[] = [];
    let timings: Timing[];
    try {
      for (const runner of runners) {
        prepared.push(workload === "matmul" ? runner.matmul(size, options.seed) : runner.mlpStep(size, options.optimizer, options.seed));
      }
      timings = await measureInterleaved(prepared, options);
    } finally {
      for (const done of prepared) done.dispose();
    }

    for (const [i, runner] of runners.entries()) {
      const measured = toCase(workload, size, runner.target, timings[i]!);
      cases.push(measured);
      hooks.onCase?.(measured);
    }
  }
  return cases;
}

/** Divide the throughput of each of our targets by its peer's, for every workload both ran. */
export function computeRatios(cases: readonly MeasuredCase[]): Ratio[] {
  const ratios: Ratio[] = [];
  for (const [ours, peer] of COMPARED_PAIRS) {
    for (const mine of cases.filter((measured) => measured.target === ours)) {
      const theirs = cases.find((other) => other.target === peer && other.workload === mine.workload && other.size === mine.size);
      if (theirs !== undefined) {
        ratios.push({ workload: mine.workload, size: mine.size, ours, peer, ratio: mine.throughput / theirs.throughput });
      }
    }
  }
  return ratios;
}

/**
 * Run the kernel suite: every matmul size, then the MLP training step
 * (`MLP_WIDTHS`, batch `mlpBatch`). Each of our targets runs together with
 * its TensorFlow.js peer, with interleaved repeats; see `groupTargets`. Throws
 * `BenchConfigError` for invalid options and `BenchUnavailableError` when a
 * target cannot start.
 */
export async function runKernelSuite(options: KernelSuiteOptions = {}, hooks: KernelSuiteHooks = {}): Promise<KernelSuiteReport> {
  const resolved = resolveKernelSuiteOptions(options);
  const startedAt = new Date().toISOString();

  const cases: MeasuredCase[] = [];
  const adapters: Partial<Record<Target, AdapterSummary>> = {};
  for (const group of groupTargets(resolved.targets)) {
    const runners: TargetRunner[] = [];
    try {
      for (const target of group) {
        const runner = await (hooks.createRunner ?? createRunner)(target);
        runners.push(runner);
        if (runner.adapter !== undefined) adapters[target] = runner.adapter;
      }
      cases.push(...(await runGroup(runners, resolved, hooks)));
    } finally {
      for (const runner of runners.reverse()) await runner.dispose();
    }
  }

  const ours = adapters.webgpu;
  const peer = adapters["tfjs-webgpu"];
  return {
    suite: "kernels",
    startedAt,
    options: resolved,
    adapters,
    sameAdapter: ours !== undefined && peer !== undefined ? sameAdapter(ours, peer) : null,
    cases,
    ratios: computeRatios(cases),
  };
}

/** Name of the MLP workload in reports, e.g. "MLP step 784-512-512-10". */
export const MLP_LABEL = `MLP step ${MLP_WIDTHS.join("-")}`;
