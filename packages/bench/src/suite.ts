/**
 * The kernel suite: square matmuls and one MLP training step, on each target
 * in turn, in one process. Targets that share a WebGPU adapter are compared
 * by the ratio of their throughputs.
 */
import { type AdapterSummary, sameAdapter } from "./adapter.js";
import { createModularRunner } from "./modular-runner.js";
import { type KernelSuiteOptions, type ResolvedKernelSuiteOptions, resolveKernelSuiteOptions, type Target } from "./options.js";
import { createTfjsRunner } from "./tfjs-runner.js";
import { measure, type Timing } from "./timing.js";
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

async function measureWorkload(workload: Workload, options: ResolvedKernelSuiteOptions): Promise<Timing> {
  try {
    return await measure(workload, options);
  } finally {
    workload.dispose();
  }
}

async function runTarget(target: Target, options: ResolvedKernelSuiteOptions, hooks: KernelSuiteHooks): Promise<{ cases: MeasuredCase[]; adapter: AdapterSummary | undefined }> {
  const runner = await (hooks.createRunner ?? createRunner)(target);
  const cases: MeasuredCase[] = [];
  const record = (measured: MeasuredCase): void => {
    cases.push(measured);
    hooks.onCase?.(measured);
  };

  try {
    for (const size of options.sizes) {
      hooks.onStart?.(target, "matmul", size);
      const timing = await measureWorkload(runner.matmul(size, options.seed), options);
      record({ workload: "matmul", size, target, timing, throughput: matmulFlops(size) / (timing.medianMs * 1e6), unit: "GFLOP/s" });
    }
    if (options.mlpBatch > 0) {
      const batch = options.mlpBatch;
      hooks.onStart?.(target, "mlp-step", batch);
      const timing = await measureWorkload(runner.mlpStep(batch, options.optimizer, options.seed), options);
      record({ workload: "mlp-step", size: batch, target, timing, throughput: (batch * 1000) / timing.medianMs, unit: "samples/s" });
    }
  } finally {
    await runner.dispose();
  }
  return { cases, adapter: runner.adapter };
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
 * Run the kernel suite: for each target in order, every matmul size, then
 * the MLP training step (`MLP_WIDTHS`, batch `mlpBatch`). Throws
 * `BenchConfigError` for invalid options and `BenchUnavailableError` when a
 * target cannot start.
 */
export async function runKernelSuite(options: KernelSuiteOptions = {}, hooks: KernelSuiteHooks = {}): Promise<KernelSuiteReport> {
  const resolved = resolveKernelSuiteOptions(options);
  const startedAt = new Date().toISOString();

  const cases: MeasuredCase[] = [];
  const adapters: Partial<Record<Target, AdapterSummary>> = {};
  for (const target of resolved.targets) {
    const result = await runTarget(target, resolved, hooks);
    cases.push(...result.cases);
    if (result.adapter !== undefined) adapters[target] = result.adapter;
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
