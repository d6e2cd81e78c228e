/**
 * Wall-clock timing of a workload that ends with a sync. `run(iterations)`
 * must launch the work that many times and resolve only once the device has
 * finished it (a readback of the last result), so queued GPU work is never
 * counted as done.
 */

/** A workload under measurement. */
export interface Timed {
  /** Run the workload `iterations` times, then wait until the device has finished. */
  run(iterations: number): Promise<void>;
}

export interface TimingOptions {
  readonly warmup: number;
  readonly repeats: number;
  readonly minRepeatMs: number;
}

/** Upper bound on the iterations of one repeat, so a very fast workload still finishes quickly. */
const MAX_ITERATIONS = 1000;

/** The time of one workload iteration, from several timed repeats. */
export interface Timing {
  /** Median over the repeats of the time per iteration, in milliseconds. */
  readonly medianMs: number;
  /** Time per iteration of each repeat, in milliseconds, in the order measured. */
  readonly samplesMs: readonly number[];
  /** Iterations per repeat, chosen from the last warm-up run and `minRepeatMs`. */
  readonly iterations: number;
}

/** Return the median of `values` (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of an empty list");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function timeRun(workload: Timed, iterations: number): Promise<number> {
  const start = performance.now();
  await workload.run(iterations);
  return performance.now() - start;
}

/** Run `warmup` untimed single iterations, and return the iterations that fill `minRepeatMs` by the last one's duration. */
async function calibrate(workload: Timed, options: TimingOptions): Promise<number> {
  let lastWarmupMs = 0;
  for (let i = 0; i < options.warmup; i++) lastWarmupMs = await timeRun(workload, 1);

  const estimate = Math.ceil(options.minRepeatMs / Math.max(lastWarmupMs, 1e-3));
  return Math.min(Math.max(estimate, 1), MAX_ITERATIONS);
}

/**
 * Measure several workloads with their timed repeats interleaved: repeat 1
 * of each, then repeat 2 of each, and so on. When other jobs load the
 * machine unevenly, every workload then runs under about the same load, so the
 * ratio of their times stays meaningful even where absolute times do not.
 */
export async function measureInterleaved(workloads: readonly Timed[], options: TimingOptions): Promise<Timing[]> {
  const iterations: number[] = [];
  for (const workload of workloads) iterations.push(await calibrate(workload, options));

  const samples: number[][] = workloads.map(() => []);
  for (let repeat = 0; repeat < options.repeats; repeat++) {
    for (const [i, workload] of workloads.entries()) {
      samples[i]!.push((await timeRun(workload, iterations[i]!)) / iterations[i]!);
    }
  }
  return samples.map((samplesMs, i) => ({ medianMs: median(samplesMs), samplesMs, iterations: iterations[i]! }));
}

/**
 * Measure `workload`: `warmup` untimed single runs, then `repeats` timed runs
 * of enough iterations to last `minRepeatMs` by the last warm-up's estimate.
 */
export async function measure(workload: Timed, options: TimingOptions): Promise<Timing> {
  const [timing] = await measureInterleaved([workload], options);
  return timing!;
}
