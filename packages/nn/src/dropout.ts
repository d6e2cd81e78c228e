/**
 * Dropout (Srivastava et al., "Dropout: A Simple Way to Prevent Neural
 * Networks from Overfitting", 2014) with inverted scaling: in train mode each
 * element is zeroed with probability p and the survivors are scaled by
 * 1 / (1 − p), so eval mode is the identity.
 *
 * Masks come from the counter-based Philox generator. Call i of the layer
 * draws with the key (seed, i), so every forward pass in train mode gets a
 * new mask and two layers built with the same seed draw the same sequence
 * of masks on every backend.
 */
import { greaterEqual, mul, randomUniform, where } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { ConfigError } from "./errors.js";
import { Module } from "./module.js";

export interface DropoutOptions {
  /** Seed of the masks; give each Dropout layer of a model its own. Default 0. */
  readonly seed?: number;
}

/** Philox streams are 32-bit, so the call counter wraps after 2^32 masks. */
const STREAMS = 2 ** 32;

/**
 * Zero each element with probability `p` in train mode and scale the rest by
 * 1 / (1 − p); the identity in eval mode. Any input shape; the output has
 * the input's shape.
 */
export class Dropout extends Module {
  readonly seed: number;
  private calls = 0;

  constructor(
    readonly p: number,
    options: DropoutOptions = {},
  ) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p < 1)) {
      throw new ConfigError(`Dropout: p ${p} is invalid; it must be a probability in [0, 1), for example 0.5.`);
    }
    this.seed = options.seed ?? 0;
    if (!Number.isInteger(this.seed) || this.seed < 0 || this.seed >= STREAMS) {
      throw new ConfigError(`Dropout: seed ${this.seed} is invalid; it must be an integer from 0 to 4294967295.`);
    }
  }

  /**
   * Number of masks drawn so far, which is the stream of the next mask.
   *
   * NOTE: checkpoints do not store this counter, so a resumed run draws its
   * masks again from stream 0.
   */
  get maskCount(): number {
    return this.calls;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;

    const stream = this.calls;
    this.calls = (this.calls + 1) % STREAMS;
    const draw = randomUniform(x.shape, { seed: this.seed, stream });
    // An element survives when its uniform draw in [0, 1) is at least p, which has probability 1 − p.
    return where(greaterEqual(draw, this.p), mul(x, 1 / (1 - this.p)), 0);
  }

  override describe(): string {
    return `Dropout(p=${this.p})`;
  }
}
