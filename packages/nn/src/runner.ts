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
import type { ModelSpec } from "./builders.js";
import type { CheckpointFiles, PartialEpoch } from "./checkpoint.js";
import { checkMaxNorm } from "./clip.js";
import { CheckpointFormatError } from "./checkpoint-errors.js";
import { ConfigError, NonFiniteLossError, TrainingInterruptedError } from "./errors.js";
import { evaluate } from "./evaluate.js";
import type { TrainingEvent } from "./events.js";
import { disposeBatch, MissingClassLabelsError } from "./labels.js";
import type { BatchSource, Phase, TrainingContext, TrainingMethod } from "./method.js";
import type { Module } from "./module.js";
import { createOptimizer, type OptimizerSpec } from "./optim.js";
import { type ResumePoint, resumeRun, writeCheckpoint } from "./runner-checkpoint.js";
import type { LrSchedule } from "./schedule.js";

/** When and where the runner writes checkpoints (see `CheckpointFiles` for the files). */
export interface CheckpointOptions {
  /** Epochs between checkpoints within a phase; the last epoch of each phase is always saved. */
  readonly every: number;
  /** Spec of the model, saved as `model.json` so the model can be rebuilt. */
  readonly spec?: ModelSpec;
  /** Store the files, replacing the previous checkpoint. The Node.js entry writes them to a folder. */
  write(files: CheckpointFiles): Promise<void> | void;
  /**
   * Train without checkpoints, instead of throwing `ConfigError`, when a
   * phase of the method does not list its optimizers (such as a phase that
   * trains in worker threads). `run-start` then reports `checkpoints: false`.
   * Default false.
   */
  readonly ifSupported?: boolean;
}

/** A checkpoint to resume from: its files, and a label (a folder path) for errors. */
export interface ResumeOptions {
  readonly files: CheckpointFiles;
  readonly location: string;
}

export interface TrainOptions {
  /** Training modules, in forward order (see `split`). */
  readonly modules: readonly Module[];
  readonly method: TrainingMethod;
  readonly train: BatchSource;
  /**
   * A few labelled examples for the phases with `data: "labelled"`, such as
   * an output layer fitted from k examples per class while `train` has pair
   * labels only. Must yield class labels. Default none: those phases train
   * on `train`.
   */
  readonly labelled?: BatchSource;
  /** Evaluated after the last phase when given. */
  readonly test?: BatchSource;
  /**
   * Also evaluate `test` after every epoch of every phase, for accuracy
   * curves. During a greedy scheme's hidden phases the later modules are
   * still untrained, so those accuracies stay near chance. Default false.
   */
  readonly evaluateEachEpoch?: boolean;
  /** Epochs per phase. */
  readonly epochs: number;
  readonly batchSize: number;
  /** Seed of the shuffles. Default 0. */
  readonly seed?: number;
  readonly optimizer: OptimizerSpec;
  /** Steps between loss readbacks and `step` events. Default 20. */
  readonly logEvery?: number;
  readonly onEvent?: (event: TrainingEvent) => void;
  /**
   * Learning-rate schedule applied to every optimizer in `Phase.optimizers`,
   * restarting at each phase from the optimizer's learning rate at planning.
   * Default none (constant rate).
   */
  readonly schedule?: LrSchedule;
  /** Bound on the global gradient norm, passed to methods as `TrainingContext.maxGradNorm`. Default none. */
  readonly maxGradNorm?: number;
  /** Write a checkpoint after epochs. Default none. */
  readonly checkpoint?: CheckpointOptions;
  /**
   * Continue a run from its checkpoint: load the module weights and optimizer
   * state, and start after the saved epoch. Every other option must be those
   * of the interrupted run; the method and seed are checked.
   */
  readonly resumeFrom?: ResumeOptions;
  /**
   * Stops the run when aborted. The runner checks it between steps: it
   * finishes the step in progress, writes a checkpoint of that position when
   * `checkpoint` is set (`resumeFrom` then continues from the next step),
   * emits `interrupted` and throws `TrainingInterruptedError`. With a
   * signal, the runner yields to the event loop after every step so that an
   * abort from a signal handler or timer is seen at once.
   */
  readonly signal?: AbortSignal;
}

export interface TrainResult {
  readonly method: string;
  /** Test accuracy in [0, 1], or undefined without a test set. */
  readonly testAccuracy: number | undefined;
  /** Wall time of the run, in seconds; for a resumed run, the parts before each stop included. */
  readonly seconds: number;
  /** Mean losses of each phase's last epoch, by phase label. A resumed run lists only the phases it ran. */
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

/**
 * Yield to the event loop for a moment, so that pending signal handlers run.
 * Node.js's `setImmediate` costs microseconds, while `setTimeout(0)` waits at
 * least 1 ms there, so it is the fallback only where `setImmediate` is missing (browsers).
 */
function yieldBriefly(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate === undefined ? setTimeout(resolve, 0) : immediate(resolve)));
}

/** Running sums and counts of losses by name. */
type LossTotals = Map<string, { sum: number; count: number }>;

/** Losses of the steps since the last readback, with the step numbers that produced them. */
class LossInterval {
  private readonly pending: { step: number; epoch: number; losses: Record<string, Tensor> }[] = [];
  private readonly pendingValues: { step: number; epoch: number; name: string; value: number }[] = [];
  private steps = 0;

  add(step: number, epoch: number, losses: Record<string, Tensor>, values: Readonly<Record<string, readonly number[]>> = {}): void {
    this.pending.push({ step, epoch, losses });
    this.addValues(step, epoch, values);
    this.steps++;
  }

  /** Add losses already on the host (`StepMetrics.lossValues`), each counted as one value. */
  addValues(step: number, epoch: number, values: Readonly<Record<string, readonly number[]>>): void {
    for (const [name, list] of Object.entries(values)) {
      for (const value of list) this.pendingValues.push({ step, epoch, name, value });
    }
  }

  /** Steps added since the last flush. */
  get length(): number {
    return this.steps;
  }

  /**
   * Read every pending loss in one transfer; throw on the first non-finite
   * value. Returns the values in step order, so that adding them to an
   * epoch's totals gives the same sums however the steps fell into intervals.
   */
  async flush(phase: Phase): Promise<{ name: string; value: number }[]> {
    const entries = this.pending.flatMap(({ step, epoch, losses }) =>
      Object.entries(losses).map(([name, loss]) => ({ step, epoch, name, loss })),
    );
    this.pending.length = 0;
    this.steps = 0;
    const hostValues = this.pendingValues.splice(0);
    const read: { step: number; epoch: number; name: string; value: number }[] = [];
    if (entries.length > 0) {
      const stacked = tidy(() => concat(entries.map(({ loss }) => reshape(loss, [1]))));
      const values = await stacked.data();
      stacked.dispose();
      entries.forEach(({ loss }) => loss.dispose());
      entries.forEach(({ step, epoch, name }, i) => read.push({ step, epoch, name, value: values[i]! }));
    }
    // A stable sort keeps each step's device losses ahead of its host losses.
    const ordered = [...read, ...hostValues].sort((a, b) => a.step - b.step);
    for (const { step, epoch, name, value } of ordered) {
      if (!Number.isFinite(value)) throw new NonFiniteLossError(name, phase.label, epoch, step, value);
    }
    return ordered.map(({ name, value }) => ({ name, value }));
  }
}

function means(totals: LossTotals): Record<string, number> {
  return Object.fromEntries([...totals].map(([name, { sum, count }]) => [name, sum / count]));
}

/** Add `values` one by one to `totals`, and return the totals of `values` alone. */
function addValues(totals: LossTotals, values: readonly { name: string; value: number }[]): LossTotals {
  const own: LossTotals = new Map();
  for (const { name, value } of values) {
    for (const target of [totals, own]) {
      const total = target.get(name) ?? { sum: 0, count: 0 };
      total.sum += value;
      total.count += 1;
      target.set(name, total);
    }
  }
  return own;
}

/** Train `modules` with `method`, then evaluate on `test`. */
export async function train(trainOptions: TrainOptions): Promise<TrainResult> {
  let options = trainOptions;
  checkPositiveInteger("epochs", options.epochs);
  checkPositiveInteger("batchSize", options.batchSize);
  const logEvery = options.logEvery ?? 20;
  checkPositiveInteger("logEvery", logEvery);
  const seed = options.seed ?? 0;
  if (options.maxGradNorm !== undefined) checkMaxNorm(options.maxGradNorm);
  if (options.checkpoint !== undefined) checkPositiveInteger("checkpoint.every", options.checkpoint.every);
  const emit = options.onEvent ?? (() => {});
  let started = performance.now();

  const context: TrainingContext = {
    epochs: options.epochs,
    batchSize: options.batchSize,
    seed,
    classes: options.train.classes,
    labelKind: options.train.labelKind ?? "classes",
    ...(options.labelled === undefined ? {} : { labelledSamples: options.labelled.size }),
    ...(options.train.sampleShape === undefined ? {} : { sampleShape: options.train.sampleShape }),
    optimizer: options.optimizer,
    createOptimizer: () => createOptimizer(options.optimizer),
    ...(options.maxGradNorm === undefined ? {} : { maxGradNorm: options.maxGradNorm }),
  };
  checkLabelledSource(options);
  const phases = options.method.plan(options.modules, context);
  const sources = sourcesOrRelease(options, phases);
  const baseRates = phases.map((phase) => (phase.optimizers ?? []).map((optimizer) => optimizer.lr));
  if (options.schedule !== undefined) checkScheduledPhases(phases);
  const unsupported = options.checkpoint?.ifSupported === true && options.resumeFrom === undefined && !canCheckpoint(phases);
  if (unsupported) {
    const { checkpoint: _skipped, ...withoutCheckpoints } = options;
    options = withoutCheckpoints;
  }
  if (options.checkpoint !== undefined || options.resumeFrom !== undefined) checkCheckpointedPhases(phases);
  emit({
    event: "run-start",
    method: options.method.name,
    backend: getBackend().name,
    modules: options.modules.length,
    parameters: options.modules.reduce((acc, m) => acc + m.parameterCount(), 0),
    auxiliaryParameters: [...new Set(phases.flatMap((phase) => phase.auxiliary ?? []))].reduce(
      (acc, m) => acc + m.parameterCount(),
      0,
    ),
    trainSamples: options.train.size,
    labelKind: context.labelKind ?? "classes",
    labelledSamples: options.labelled?.size ?? 0,
    testSamples: options.test?.size ?? 0,
    phases: phases.map(({ label, epochs }) => ({ label, epochs })),
    checkpoints: options.checkpoint !== undefined,
  });

  let start: ResumePoint = { phase: 1, epoch: 1, elapsedSeconds: 0 };
  if (options.resumeFrom !== undefined) {
    start = resumeRun(options, phases, seed);
    // The run's wall time counts the parts before the stop too.
    started -= start.elapsedSeconds * 1000;
    // Name the last saved epoch: the end of the previous phase when the run resumes at a phase's start.
    const saved =
      start.partial !== undefined
        ? { phase: start.phase, epoch: start.epoch, stepsInEpoch: start.partial.steps }
        : start.epoch > 1
          ? { phase: start.phase, epoch: start.epoch - 1 }
          : { phase: start.phase - 1, epoch: phases[start.phase - 2]!.epochs };
    emit({ event: "resume", ...saved });
  }

  const finalLosses: Record<string, Record<string, number>> = {};
  for (const [index, phase] of phases.entries()) {
    if (index + 1 < start.phase) continue;
    const resumesHere = index + 1 === start.phase;
    const run: PhaseRun = {
      phase,
      source: sources[index]!,
      index: index + 1,
      count: phases.length,
      firstEpoch: resumesHere ? start.epoch : 1,
      ...(resumesHere && start.partial !== undefined ? { partial: start.partial } : {}),
      baseRates: baseRates[index]!,
      elapsedSeconds: () => (performance.now() - started) / 1000,
    };
    finalLosses[phase.label] = await runPhase(run, options, seed, logEvery, emit);
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

/** Throw `ConfigError` unless `options.labelled`, when given, yields class labels. */
function checkLabelledSource(options: TrainOptions): void {
  if (options.labelled !== undefined && options.labelled.labelKind === "pairs") {
    throw new ConfigError(
      "labelled: the labelled subset has pair labels only, but it exists to give phases class labels. " +
        "Pass a source with class labels, such as a k-shot subset of the training Dataset.",
    );
  }
}

/**
 * Return the source that `phase` trains on: the labelled subset for a
 * phase with `data: "labelled"` when the run has one, and the training data
 * otherwise. Throws `MissingClassLabelsError` before any training when the
 * phase reads class labels and that source has pair labels only.
 */
function phaseSource(options: TrainOptions, phase: Phase): BatchSource {
  const source = phase.data === "labelled" && options.labelled !== undefined ? options.labelled : options.train;
  if ((source.labelKind ?? "classes") === "pairs" && (phase.labelKind ?? "classes") === "classes") {
    throw new MissingClassLabelsError(options.method.name, `phase "${phase.label}"`);
  }
  return source;
}

/**
 * Return each phase's source (see `phaseSource`). On a rejected phase, or a
 * labelled subset that no phase trains on, end every phase, so that their
 * optimizers and heads are disposed, and throw.
 */
function sourcesOrRelease(options: TrainOptions, phases: readonly Phase[]): BatchSource[] {
  try {
    const sources = phases.map((phase) => phaseSource(options, phase));
    if (options.labelled !== undefined && !phases.some((phase) => phase.data === "labelled")) {
      throw new ConfigError(
        `labelled: no phase of ${options.method.name} trains on a labelled subset, so the ${options.labelled.size} ` +
          "labelled samples would go unused. Leave out `labelled`, or choose a method with an output phase.",
      );
    }
    return sources;
  } catch (error) {
    phases.forEach((phase) => phase.end?.());
    throw error;
  }
}

/** Throw `ConfigError` if a phase lists no optimizers, because a schedule could not reach them. */
function checkScheduledPhases(phases: readonly Phase[]): void {
  for (const phase of phases) {
    if ((phase.optimizers ?? []).length === 0) {
      throw new ConfigError(
        `schedule: phase "${phase.label}" lists no optimizers, so the runner cannot set its learning rate. ` +
          "List them in the phase's `optimizers` field, or train without a schedule.",
      );
    }
  }
}

/** Returns whether every phase lists its optimizers, so that a checkpoint can save their state. */
function canCheckpoint(phases: readonly Phase[]): boolean {
  return phases.every((phase) => phase.optimizers !== undefined);
}

/**
 * Throw `ConfigError` if a phase leaves `optimizers` undefined, because a
 * checkpoint would silently lose that phase's optimizer state. A phase
 * without optimizer state declares `optimizers: []`.
 */
function checkCheckpointedPhases(phases: readonly Phase[]): void {
  if (canCheckpoint(phases)) return;
  for (const phase of phases) {
    if (phase.optimizers === undefined) {
      throw new ConfigError(
        `checkpoint: phase "${phase.label}" does not list its optimizers, so a checkpoint could not save their state. ` +
          "List them in the phase's `optimizers` field (an empty list if it has none), or train without checkpoints.",
      );
    }
  }
}

/** A phase, its position in the run, the epoch it starts at (after 1 when resumed) and its optimizers' base rates. */
interface PhaseRun {
  readonly phase: Phase;
  /** The data the phase trains on (see `phaseSource`). */
  readonly source: BatchSource;
  /** Index of the phase, from 1. */
  readonly index: number;
  readonly count: number;
  readonly firstEpoch: number;
  /** Steps of `firstEpoch` done before a stop, and their loss sums, when the run resumes mid-epoch. */
  readonly partial?: PartialEpoch;
  readonly baseRates: readonly number[];
  /** Seconds since the run started, earlier parts of a resumed run included. */
  readonly elapsedSeconds: () => number;
}

/** Set each optimizer of `phase` to the schedule's rate at `position`. */
function applySchedule(schedule: LrSchedule, run: PhaseRun, position: number): void {
  (run.phase.optimizers ?? []).forEach((optimizer, i) => {
    optimizer.lr = schedule.rate(position, run.baseRates[i]!);
  });
}

async function runPhase(
  run: PhaseRun,
  options: TrainOptions,
  seed: number,
  logEvery: number,
  emit: (event: TrainingEvent) => void,
): Promise<Record<string, number>> {
  const { phase, source, index, count, firstEpoch } = run;
  const schedule = options.schedule;
  const phaseStarted = performance.now();
  const stepsPerEpoch = Math.ceil(source.size / options.batchSize);
  const totalSteps = stepsPerEpoch * phase.epochs;
  const skipSteps = run.partial?.steps ?? 0;
  if (skipSteps >= stepsPerEpoch) {
    throw new CheckpointFormatError({
      source: options.resumeFrom?.location ?? "checkpoint",
      location: 'field "partialEpoch.steps"',
      expected: `fewer steps than the ${stepsPerEpoch} of an epoch of this run`,
      found: `${skipSteps}`,
      hint: "Resume with the batch size and data of the saved run.",
    });
  }
  emit({
    event: "phase-start",
    phase: index,
    phases: count,
    label: phase.label,
    epochs: phase.epochs,
    stepsPerEpoch,
    samples: source.size,
  });
  options.modules.forEach((module) => module.train());
  phase.begin?.();
  const stepsBefore = (firstEpoch - 1) * stepsPerEpoch + skipSteps;
  if (stepsBefore > 0) phase.resumeAt?.(stepsBefore);

  const interval = new LossInterval();
  let step = (firstEpoch - 1) * stepsPerEpoch + skipSteps;
  let epochLosses: LossTotals = new Map();
  try {
    for (let epoch = firstEpoch; epoch <= phase.epochs; epoch++) {
      const epochStarted = performance.now();
      const resumed = epoch === firstEpoch ? run.partial : undefined;
      epochLosses = new Map(Object.entries(resumed?.losses ?? {}).map(([name, total]) => [name, { ...total }]));
      let stepsInEpoch = 0;
      if (schedule?.interval === "epoch") applySchedule(schedule, run, epoch - 1);
      // Each phase gets its own shuffles because the key mixes the phase index into the epoch counter.
      const shuffleEpoch = index * 100_000 + epoch;
      const batchOptions = { batchSize: options.batchSize, shuffle: true, seed, epoch: shuffleEpoch };
      const batches = source.prefetchBatches?.(batchOptions) ?? source.batches(batchOptions);
      for await (const batch of batches) {
        stepsInEpoch++;
        // A resumed epoch draws the batches of the stopped one and passes over those already trained on.
        if (stepsInEpoch <= (resumed?.steps ?? 0)) {
          disposeBatch(batch);
          continue;
        }
        if (schedule?.interval === "batch") applySchedule(schedule, run, step);
        step++;
        const metrics = tidy(() => phase.step(batch));
        disposeBatch(batch);
        interval.add(step, epoch, { ...metrics.losses }, metrics.lossValues);

        if (interval.length >= logEvery) {
          const totals = addValues(epochLosses, await interval.flush(phase));
          emit({ event: "step", phase: index, epoch, step, totalSteps, losses: means(totals) });
          await yieldToEventLoop();
        }
        // A stop after the epoch's last step waits for the end of the epoch, below.
        if (options.signal !== undefined && stepsInEpoch < stepsPerEpoch) {
          await yieldBriefly();
          if (options.signal.aborted) {
            await stopRun(run, options, { epoch, stepsInEpoch, step, totalSteps, seed }, interval, epochLosses, emit);
          }
        }
      }
      const report = (await phase.epochEnd?.()) ?? undefined;
      if (report?.lossValues !== undefined) interval.addValues(step, epoch, report.lossValues);
      const stats = report?.stats;
      const workerPeakBytes = report?.workerPeakBytes;
      const rest = addValues(epochLosses, await interval.flush(phase));
      if (rest.size > 0) emit({ event: "step", phase: index, epoch, step, totalSteps, losses: means(rest) });
      emit({
        event: "epoch-end",
        phase: index,
        epoch,
        losses: means(epochLosses),
        seconds: (performance.now() - epochStarted) / 1000,
        ...(stats === undefined ? {} : { stats }),
        ...(workerPeakBytes === undefined ? {} : { workerPeakBytes }),
      });
      if (options.evaluateEachEpoch === true && options.test !== undefined) {
        const result = await evaluate(options.modules, options.test);
        emit({ event: "evaluation", split: "test", accuracy: result.accuracy, samples: result.samples, phase: index, epoch });
        // evaluate() restores each module's mode; the phase keeps the modes it set in begin().
      }

      const checkpoint = options.checkpoint;
      let files: string[] | undefined;
      if (checkpoint !== undefined && (epoch % checkpoint.every === 0 || epoch === phase.epochs)) {
        files = await writeCheckpoint(checkpoint, options, phase, { phase: index, epoch, seed, elapsedSeconds: run.elapsedSeconds() });
        emit({ event: "checkpoint", phase: index, epoch, files });
      }
      if (options.signal?.aborted === true) {
        if (checkpoint !== undefined && files === undefined) {
          files = await writeCheckpoint(checkpoint, options, phase, { phase: index, epoch, seed, elapsedSeconds: run.elapsedSeconds() });
        }
        emit({ event: "interrupted", phase: index, epoch, step, stepsInEpoch, files: files ?? [] });
        throw new TrainingInterruptedError(index, epoch, stepsInEpoch, files !== undefined);
      }
    }
  } finally {
    phase.end?.();
  }
  emit({ event: "phase-end", phase: index, label: phase.label, seconds: (performance.now() - phaseStarted) / 1000 });
  return means(epochLosses);
}

/**
 * Stop the run after `position.stepsInEpoch` steps of `position.epoch`:
 * read back the pending losses, write a checkpoint of the position when the
 * run writes checkpoints, emit `interrupted` and throw
 * `TrainingInterruptedError`.
 */
async function stopRun(
  run: PhaseRun,
  options: TrainOptions,
  position: { epoch: number; stepsInEpoch: number; step: number; totalSteps: number; seed: number },
  interval: LossInterval,
  epochLosses: LossTotals,
  emit: (event: TrainingEvent) => void,
): Promise<never> {
  const { phase, index } = run;
  const { epoch, stepsInEpoch, step, totalSteps, seed } = position;
  const rest = addValues(epochLosses, await interval.flush(phase));
  if (rest.size > 0) emit({ event: "step", phase: index, epoch, step, totalSteps, losses: means(rest) });

  // A phase that trains in other threads copies their weights back in epochEnd, so the checkpoint contains them.
  // NOTE: epochEnd also ends the phase's per-epoch statistics, so a resumed epoch reports them for its own steps only.
  await phase.epochEnd?.();

  const checkpoint = options.checkpoint;
  let files: string[] = [];
  if (checkpoint !== undefined) {
    const losses = Object.fromEntries([...epochLosses].map(([name, total]) => [name, { ...total }]));
    const partial = { steps: stepsInEpoch, losses };
    files = await writeCheckpoint(checkpoint, options, phase, { phase: index, epoch: epoch - 1, seed, partial, elapsedSeconds: run.elapsedSeconds() });
  }
  emit({ event: "interrupted", phase: index, epoch, step, stepsInEpoch, files });
  throw new TrainingInterruptedError(index, epoch, stepsInEpoch, checkpoint !== undefined);
}
