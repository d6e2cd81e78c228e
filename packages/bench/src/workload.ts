/**
 * The workloads of the kernel suite and what a target runner provides. A
 * runner prepares a workload's inputs on its library and device. Timing,
 * repeats and reports are the suite's job.
 */
import type { AdapterSummary } from "./adapter.js";
import type { BenchOptimizer, Target } from "./options.js";
import type { Timed } from "./timing.js";

/** Layer widths of the MLP of the training-step workload: MNIST-sized input, two hidden layers, 10 classes. */
export const MLP_WIDTHS = [784, 512, 512, 10] as const;

/** Learning rate of each optimizer of the MLP step. The value does not change the work done per step. */
export const MLP_LEARNING_RATES: Readonly<Record<BenchOptimizer, number>> = { sgd: 0.01, adam: 0.001 };

/**
 * Label of sample `i` of the MLP batch. Both libraries train on the same
 * labels. Random inputs differ between libraries but do not change the work.
 */
export function mlpLabel(i: number): number {
  return (i * 7 + 3) % MLP_WIDTHS[MLP_WIDTHS.length - 1]!;
}

/** A prepared workload: `run` from `Timed`, and `dispose` to free its tensors. */
export interface Workload extends Timed {
  dispose(): void;
}

/** One library on one device, able to prepare every workload of the suite. */
export interface TargetRunner {
  readonly target: Target;
  /** The WebGPU adapter the target runs on, or undefined for a cpu target. */
  readonly adapter: AdapterSummary | undefined;
  /** Two n×n float32 matrices with values in [0, 1); each iteration computes their product. */
  matmul(size: number, seed: number): Workload;
  /** The `MLP_WIDTHS` MLP; each iteration is one training step (forward, backward, optimizer update) on one batch. */
  mlpStep(batch: number, optimizer: BenchOptimizer, seed: number): Workload;
  /** Free what the runner created. The backend or device stays registered with its library. */
  dispose(): Promise<void>;
}

/** Floating-point operations of one n×n by n×n matrix product: 2·n³. */
export function matmulFlops(size: number): number {
  return 2 * size ** 3;
}
