/**
 * The runner's side of checkpoints: writing one after an epoch, and
 * restoring module weights, optimizer state and the position in the run
 * from one. Every shuffle is keyed by (seed, phase, epoch), so restoring the
 * epoch also restores the random stream, and a resumed run repeats the
 * batches of the uninterrupted one.
 */
import { CheckpointFormatError } from "./checkpoint-errors.js";
import {
  decodeCheckpoint,
  type PartialEpoch,
  encodeCheckpoint,
  loadAuxiliaryModules,
  runParameterNames,
  TRAINING_STATE_FILE,
} from "./checkpoint.js";
import { ConfigError } from "./errors.js";
import type { Phase } from "./method.js";
import type { CheckpointOptions, TrainOptions } from "./runner.js";

/** Start of a run: a phase (from 1), an epoch of it (from 1), and the steps of that epoch already done. */
export interface ResumePoint {
  readonly phase: number;
  readonly epoch: number;
  /** Steps of `epoch` completed before a stop, with their loss sums; absent when the epoch starts afresh. */
  readonly partial?: PartialEpoch;
  /** Seconds the run had taken up to the checkpoint; 0 for a checkpoint written before this was recorded. */
  readonly elapsedSeconds: number;
}

/**
 * Encode the run after `epoch` of `phase` (plus `partial`, the steps done
 * of the next epoch, for a stopped run), pass the files to
 * `checkpoint.write`, and return their names.
 */
export async function writeCheckpoint(
  checkpoint: CheckpointOptions,
  options: TrainOptions,
  phase: Phase,
  position: { phase: number; epoch: number; seed: number; partial?: PartialEpoch; elapsedSeconds: number },
): Promise<string[]> {
  const optimizers = phase.optimizers ?? [];
  const files = await encodeCheckpoint({
    modules: options.modules,
    ...(checkpoint.spec === undefined ? {} : { spec: checkpoint.spec }),
    optimizers,
    ...(phase.auxiliary === undefined ? {} : { auxiliary: phase.auxiliary }),
    state: {
      format: "modular-training-state",
      version: 1,
      method: options.method.name,
      seed: position.seed,
      modules: options.modules.length,
      phase: position.phase,
      epoch: position.epoch,
      learningRates: optimizers.map((optimizer) => optimizer.lr),
      ...(position.partial === undefined ? {} : { partialEpoch: position.partial }),
      elapsedSeconds: position.elapsedSeconds,
    },
  });
  await checkpoint.write(files);
  return [...files.keys()];
}

/**
 * Load the checkpoint of `options.resumeFrom` into the modules and the
 * optimizers of the saved phase, and return the first epoch still to run.
 * Throws `ConfigError` when the method or seed differs from the saved run,
 * and `CheckpointFormatError` for malformed or mismatched files.
 */
export function resumeRun(options: TrainOptions, phases: readonly Phase[], seed: number): ResumePoint {
  const { files, location } = options.resumeFrom!;
  const { state, optimizerStates } = decodeCheckpoint(files, options.modules, location);

  if (state.method !== options.method.name || state.seed !== seed) {
    throw new ConfigError(
      `resumeFrom ${location}: the checkpoint is of method "${state.method}" with seed ${state.seed}, but this run ` +
        `is "${options.method.name}" with seed ${seed}. Resume with the method and seed of the saved run.`,
    );
  }
  const phase = phases[state.phase - 1];
  const partial = state.partialEpoch;
  const lastEpoch = partial === undefined ? phase?.epochs : (phase?.epochs ?? 0) - 1;
  if (phase === undefined || lastEpoch === undefined || state.epoch > lastEpoch) {
    throw new CheckpointFormatError({
      source: `${location}/${TRAINING_STATE_FILE}`,
      location: `fields "phase" and "epoch"`,
      expected: `a phase from 1 to ${phases.length} and an epoch within it, as this run plans`,
      found: `phase ${state.phase}, epoch ${state.epoch}`,
      hint: "Resume with the epochs and method options of the saved run.",
    });
  }

  const auxiliary = phase.auxiliary ?? [];
  loadAuxiliaryModules(files, auxiliary, location);
  const optimizers = phase.optimizers ?? [];
  const named = runParameterNames(options.modules, auxiliary);
  optimizers.forEach((optimizer, i) => {
    const saved = optimizerStates[i];
    if (saved !== undefined && saved.size > 0) {
      if (optimizer.loadState === undefined) {
        throw new ConfigError(
          `resumeFrom ${location}: optimizer ${i} of phase "${phase.label}" has saved state but no loadState method to restore it.`,
        );
      }
      optimizer.loadState(named, saved);
    }
    const rate = state.learningRates[i];
    if (rate !== undefined) optimizer.lr = rate;
  });

  const elapsedSeconds = state.elapsedSeconds ?? 0;
  if (partial !== undefined) return { phase: state.phase, epoch: state.epoch + 1, partial, elapsedSeconds };
  if (state.epoch === phase.epochs) return { phase: state.phase + 1, epoch: 1, elapsedSeconds };
  return { phase: state.phase, epoch: state.epoch + 1, elapsedSeconds };
}
