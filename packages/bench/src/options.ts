/**
 * Options of the kernel suite, their defaults, and their validation.
 * `resolveKernelSuiteOptions` fills in defaults and throws
 * `BenchConfigError` on the first invalid value.
 */
import { BenchConfigError } from "./errors.js";

/** Libraries and backends the suite can run: ours (`webgpu`, `cpu`) and TensorFlow.js 4.22.0 (`tfjs-*`). */
export const TARGETS = ["webgpu", "tfjs-webgpu", "cpu", "tfjs-cpu"] as const;
export type Target = (typeof TARGETS)[number];

/** Optimizers of the MLP training step. */
export const BENCH_OPTIMIZERS = ["sgd", "adam"] as const;
export type BenchOptimizer = (typeof BENCH_OPTIMIZERS)[number];

/** Options of `runKernelSuite`. Every field is optional; see `DEFAULT_KERNEL_SUITE_OPTIONS`. */
export interface KernelSuiteOptions {
  /** Square matmul sizes n: each case multiplies two n×n float32 matrices. */
  readonly sizes?: readonly number[];
  /** Targets to run, in order. */
  readonly targets?: readonly Target[];
  /** Untimed runs before the timed ones: shader compilation, buffer pools, JIT. */
  readonly warmup?: number;
  /** Timed repeats; the report gives their median. */
  readonly repeats?: number;
  /**
   * Minimum duration of one timed repeat, in milliseconds. A repeat runs the
   * workload as many times as fit in this time by the duration of the last warm-up run,
   * then waits for the results once, so the final readback is amortised.
   */
  readonly minRepeatMs?: number;
  /** Samples per batch of the MLP training step; 0 leaves the MLP step out. */
  readonly mlpBatch?: number;
  /** Optimizer of the MLP training step. */
  readonly optimizer?: BenchOptimizer;
  /** Seed of the random inputs and initial weights. */
  readonly seed?: number;
}

export type ResolvedKernelSuiteOptions = Required<KernelSuiteOptions>;

export const DEFAULT_KERNEL_SUITE_OPTIONS: ResolvedKernelSuiteOptions = {
  sizes: [256, 512, 1024, 2048],
  targets: ["webgpu", "tfjs-webgpu", "cpu"],
  warmup: 2,
  repeats: 5,
  minRepeatMs: 200,
  mlpBatch: 128,
  optimizer: "sgd",
  seed: 1,
};

/** Largest matmul size: two 8192×8192 float32 inputs and the output take 768 MiB. */
export const MAX_MATMUL_SIZE = 8192;

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BenchConfigError(`${name} ${value} is invalid: expected an integer from ${min} to ${max}.`);
  }
  return value;
}

function checkTargets(targets: readonly string[]): Target[] {
  if (targets.length === 0) {
    throw new BenchConfigError(`targets is empty: expected at least one of ${TARGETS.join(", ")}.`);
  }
  const seen = new Set<string>();
  for (const target of targets) {
    if (!(TARGETS as readonly string[]).includes(target)) {
      throw new BenchConfigError(`Unknown target "${target}". Valid targets: ${TARGETS.join(", ")}.`);
    }
    if (seen.has(target)) throw new BenchConfigError(`Target "${target}" is listed twice; list each target once.`);
    seen.add(target);
  }
  return targets as Target[];
}

/** Fill in defaults and validate every option. Throws `BenchConfigError` naming the first invalid value. */
export function resolveKernelSuiteOptions(options: KernelSuiteOptions = {}): ResolvedKernelSuiteOptions {
  const merged = { ...DEFAULT_KERNEL_SUITE_OPTIONS, ...definedFields(options) };

  const sizes = merged.sizes.map((size) => checkInteger("Matmul size", size, 1, MAX_MATMUL_SIZE));
  if (sizes.length === 0 && merged.mlpBatch === 0) {
    throw new BenchConfigError("Nothing to run: sizes is empty and mlpBatch is 0. Give a matmul size or an MLP batch size.");
  }
  if (!(BENCH_OPTIMIZERS as readonly string[]).includes(merged.optimizer)) {
    throw new BenchConfigError(`Unknown optimizer "${merged.optimizer}". Valid optimizers: ${BENCH_OPTIMIZERS.join(", ")}.`);
  }

  return {
    sizes,
    targets: checkTargets(merged.targets),
    warmup: checkInteger("warmup", merged.warmup, 1, 1000),
    repeats: checkInteger("repeats", merged.repeats, 1, 1000),
    minRepeatMs: checkInteger("minRepeatMs", merged.minRepeatMs, 0, 600_000),
    mlpBatch: checkInteger("mlpBatch", merged.mlpBatch, 0, 65_536),
    optimizer: merged.optimizer,
    seed: checkInteger("seed", merged.seed, 0, 0xffffffff),
  };
}

/** Drop fields set to `undefined`, so that they do not hide the defaults. */
function definedFields(options: KernelSuiteOptions): KernelSuiteOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as KernelSuiteOptions;
}
