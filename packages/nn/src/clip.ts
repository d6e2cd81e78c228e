/**
 * Gradient clipping by global norm (Pascanu et al., "On the difficulty of
 * training recurrent neural networks", 2013): when the L2 norm of all
 * gradients together exceeds `maxNorm`, every gradient is scaled by
 * maxNorm / norm. The norm stays on the device, so clipping adds no readback.
 */
import { add, div, minimum, mul, scalar, sqrt, square, sum } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { ConfigError } from "./errors.js";

export interface ClippedGradients {
  /** The gradients, scaled; `null` entries stay `null`. */
  readonly grads: (Tensor | null)[];
  /** Global L2 norm of the gradients before clipping, a float32 scalar. */
  readonly norm: Tensor;
}

/** Added to the norm in the scale's denominator, so zero gradients give a finite scale. */
const NORM_EPSILON = 1e-6;

/**
 * Scale `grads` so their global L2 norm is at most `maxNorm` (a positive
 * number). Gradients with a norm at or below `maxNorm` are multiplied by 1.
 * Call it inside a `tidy` scope, such as a phase step.
 */
export function clipGradNorm(grads: readonly (Tensor | null)[], maxNorm: number): ClippedGradients {
  checkMaxNorm(maxNorm);
  const present = grads.filter((grad): grad is Tensor => grad !== null);
  if (present.length === 0) return { grads: [...grads], norm: scalar(0) };

  let squares = sum(square(present[0]!));
  for (const grad of present.slice(1)) squares = add(squares, sum(square(grad)));
  const norm = sqrt(squares);
  const scale = minimum(div(maxNorm, add(norm, NORM_EPSILON)), 1);
  return { grads: grads.map((grad) => (grad === null ? null : mul(grad, scale))), norm };
}

/** Throw `ConfigError` unless `maxNorm` is a positive finite number. */
export function checkMaxNorm(maxNorm: number): void {
  if (!Number.isFinite(maxNorm) || maxNorm <= 0) {
    throw new ConfigError(`clipGradNorm: maxNorm ${maxNorm} is invalid; it must be a positive finite number, e.g. 1.`);
  }
}
