/** Error classes of `@modular/nn`. */

/** A model spec, split, method or runner option is invalid. The message names the value and the valid choices. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** A loss became NaN or infinite; training stopped. */
export class NonFiniteLossError extends Error {
  override readonly name = "NonFiniteLossError";

  constructor(
    /** The loss that went non-finite, named by the module it trains (for example "module 1/2"). */
    readonly lossName: string,
    /** Phase label, as shown in progress output. */
    readonly phase: string,
    readonly epoch: number,
    /** Step within the phase, counted from 1. */
    readonly step: number,
    readonly value: number,
  ) {
    super(
      `Training stopped: loss "${lossName}" became ${value} at step ${step} (epoch ${epoch}) ` +
        `of phase "${phase}". Lower the learning rate (--lr) or check the input data for NaN or infinite values.`,
    );
  }
}

/**
 * Training stopped early because `TrainOptions.signal` was aborted. The
 * runner finished the step in progress and, when the run writes
 * checkpoints, wrote one that `resumeFrom` continues from.
 */
export class TrainingInterruptedError extends Error {
  override readonly name = "TrainingInterruptedError";

  constructor(
    /** Phase that was running, from 1. */
    readonly phase: number,
    /** Epoch of that phase that was running, from 1. */
    readonly epoch: number,
    /** Steps of that epoch completed before the stop. */
    readonly stepsInEpoch: number,
    /** Whether a checkpoint of this position was written. */
    readonly checkpointWritten: boolean,
  ) {
    super(
      `Training interrupted after step ${stepsInEpoch} of epoch ${epoch} of phase ${phase}` +
        (checkpointWritten ? "; a checkpoint of this position was written." : "; no checkpoint was written."),
    );
  }
}
