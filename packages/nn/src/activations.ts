/**
 * Activations composed from other tensor ops, so each runs on every backend
 * and the tape differentiates it without a rule of its own.
 */
import { greater, mul, where } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { ConfigError } from "./errors.js";
import { Module } from "./module.js";

/**
 * Leaky ReLU (Maas et al., "Rectifier Nonlinearities Improve Neural Network
 * Acoustic Models", 2013): x where x > 0, else negativeSlope · x. Any shape.
 * The gradient at x = 0 is `negativeSlope`.
 */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    if (typeof negativeSlope !== "number" || !Number.isFinite(negativeSlope)) {
      throw new ConfigError(
        `LeakyReLU: negativeSlope ${negativeSlope} is invalid; it must be a finite number, for example 0.01.`,
      );
    }
  }

  forward(x: Tensor): Tensor {
    return where(greater(x, 0), x, mul(x, this.negativeSlope));
  }

  override describe(): string {
    return `LeakyReLU(${this.negativeSlope})`;
  }
}
