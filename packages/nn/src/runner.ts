/**
 * The runner: trains split modules with a `TrainingMethod`. It owns epochs,
 * shuffling, logging intervals, the non-finite-loss check and evaluation,
 * and reports progress as typed events.
 *
 * Losses stay on the device between logging intervals. The runner reads all
 * of an interval's losses back in one transfer, and that read also finds the
 * exact step where a loss first became non-finite.
 */
import { concat, getBackend, reshape, tidy } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { ConfigError, NonFiniteLossError } from "./errors.js";
import { evaluate } from "./evaluate.js";
import type { TrainingEvent } from "./events.js";
import type { BatchSource, Phase, TrainingContext, TrainingMethod } from "./method.js";
import type { Module } from "./module.js";
import { createOptimizer, type OptimizerSpec } from "./optim.js";

export interface TrainOptions {
  /** Training modules, in forward order (see `split`). */
  readonly modules: readonly Module[];
  readonly method: TrainingMethod;
  readonly train: BatchSource;
  /** Evaluated after the last phase when given. */
  readonly test?: BatchSource;
  /** Epochs per phase. */
  readonly epochs: number;
  readonly batchSize: number;
  /** Seed of the shuffles. Default 0. */
  readonly seed?: number;
  readonly optimizer: OptimizerSpec;
  /** Steps between loss readbacks and `step` events. Default 20. */
  readonly logEvery?: number;
  readonly onEvent?: (event: TrainingEvent) => void;
}

export interface TrainResult {
  readonly method: string;
  /** Test accuracy in [0, 1], or undefined without a test set. */
  readonly testAccuracy: number | undefined;
  readonly seconds: number;
  /** Mean losses of each phase's last epoch, by phase label. */
  readonly finalLosses: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`${name} ${value} is invalid; it must be a positive integer.`);
  }
}

/** Yield to the event loop so timers (progress bars) and the browser UI can run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Losses of the steps since the last readback, with the step numbers that produced them. */
class LossInterval {
  private readonly pending: { step: number; epoch: number; losses: Record<string, Tensor> }[] = [];

  add(step: number, epoch: number, losses: Record<string, Tensor>): void {
    this.pending.push({ step, epoch, losses });
  }

  get length(): number {
    return this.pending.length;
  }

  /** Read every pending loss in one transfer; throw on the first non-finite value. Returns sums and counts. */
  async flush(phase: Phase): Promise<Map<string, { sum: number; count: number }>> {
    const entries = this.pending.flatMap(({ step, epoch, losses }) =>
      Object.entries(losses).map(([name, loss]) => ({ step, epoch, name, loss })),
    );
    this.pending.length = 0;
    const totals = new Map<string, { sum: number; count: number }>();
    if (entries.length === 0) return totals;

    const stacked = tidy(() => concat(entries.map(({ loss }) => reshape(loss, [1]))));
    const values = await stacked.data();
    stacked.dispose();
    entries.forEach(({ loss }) => loss.dispose());

    entries.forEach(({ step, epoch, name }, i) => {
      const value = values[i]!;
      if (!Number.isFinite(value)) throw new NonFiniteLossError(name, phase.label, epoch, step, value);
      const total = totals.get(name) ?? { sum: 0, count: 0 };
      total.sum += value;
      total.count += 1;
      totals.set(name, total);
    });
    return totals;
  }
}

function means(totals: Map<string, { sum: number; count: number }>): Record<string, number> {
  return Object.fromEntries([...totals].map(([name, { sum, count }]) => [name, sum / count]));
}

function mergeInto(target: Map<string, { sum: number; count: number }>, source: Map<string, { sum: number; count: number }>): void {
  for (const [name, { sum, count }] of source) {
    const total = target.get(name) ?? { sum: 0, count: 0 };
    total.sum += sum;
    total.count += count;
    target.set(name, total);
  }
}

/** Train `modules` with `method`, then evaluate on `test`. */
export async function train(options: TrainOptions): Promise<TrainResult> {
  checkPositiveInteger("epochs", options.epochs);
  checkPositiveInteger("batchSize", options.batchSize);
  const logEvery = options.logEvery ?? 20;
  checkPositiveInteger("logEvery", logEvery);
  const seed = options.seed ?? 0;
  const emit = options.onEvent ?? (() => {});
  const started = performance.now();

  const context: TrainingContext = {
    epochs: options.epochs,
    batchSize: options.batchSize,
    seed,
    classes: options.train.classes,
    optimizer: options.optimizer,
    createOptimizer: () => createOptimizer(options.optimizer),
  };
  const phases = options.method.plan(options.modules, context);
  emit({
    event: "run-start",
    method: options.method.name,
    backend: getBackend().name,
    modules: options.modules.length,
    parameters: options.modules.reduce((acc, m) => acc + m.parameterCount(), 0),
    trainSamples: options.train.size,
    testSamples: options.test?.size ?? 0,
    phases: phases.map(({ label, epochs }) => ({ label, epochs })),
  });

  const finalLosses: Record<string, Record<string, number>> = {};
  for (const [index, phase] of phases.entries()) {
    finalLosses[phase.label] = await runPhase(phase, index + 1, phases.length, options, seed, logEvery, emit);
  }

  let testAccuracy: number | undefined;
  if (options.test !== undefined) {
    const result = await evaluate(options.modules, options.test);
    testAccuracy = result.accuracy;
    emit({ event: "evaluation", split: "test", accuracy: result.accuracy, samples: result.samples });
  }
  const seconds = (performance.now() - started) / 1000;
  emit({ event: "done", method: options.method.name, testAccuracy: testAccuracy ?? Number.NaN, seconds });
  return { method: options.method.name, testAccuracy, seconds, finalLosses };
}

async function runPhase(
  phase: Phase,
  index: number,
  count: number,
  options: TrainOptions,
  seed: number,
  logEvery: number,
  emit: (event: TrainingEvent) => void,
): Promise<Record<string, number>> {
  const phaseStarted = performance.now();
  const stepsPerEpoch = Math.ceil(options.train.size / options.batchSize);
  const totalSteps = stepsPerEpoch * phase.epochs;
  emit({ event: "phase-start", phase: index, phases: count, label: phase.label, epochs: phase.epochs, stepsPerEpoch });
  options.modules.forEach((module) => module.train());
  phase.begin?.();

  const interval = new LossInterval();
  let step = 0;
  let epochLosses = new Map<string, { sum: number; count: number }>();
  try {
    for (let epoch = 1; epoch <= phase.epochs; epoch++) {
      const epochStarted = performance.now();
      epochLosses = new Map();
      // Each phase gets its own shuffles because the key mixes the phase index into the epoch counter.
      const shuffleEpoch = index * 100_000 + epoch;
      for (const batch of options.train.batches({ batchSize: options.batchSize, shuffle: true, seed, epoch: shuffleEpoch })) {
        step++;
        const metrics = tidy(() => phase.step(batch).losses);
        batch.x.dispose();
        batch.y.dispose();
        interval.add(step, epoch, { ...metrics });

        if (interval.length >= logEvery) {
          const totals = await interval.flush(phase);
          mergeInto(epochLosses, totals);
          emit({ event: "step", phase: index, epoch, step, totalSteps, losses: means(totals) });
          await yieldToEventLoop();
        }
      }
      const rest = await interval.flush(phase);
      mergeInto(epochLosses, rest);
      if (rest.size > 0) emit({ event: "step", phase: index, epoch, step, totalSteps, losses: means(rest) });
      emit({
        event: "epoch-end",
        phase: index,
        epoch,
        losses: means(epochLosses),
        seconds: (performance.now() - epochStarted) / 1000,
      });
    }
  } finally {
    phase.end?.();
  }
  emit({ event: "phase-end", phase: index, label: phase.label, seconds: (performance.now() - phaseStarted) / 1000 });
  return means(epochLosses);
}
