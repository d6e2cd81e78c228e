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
