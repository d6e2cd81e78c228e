/** Error classes of `@modular/autodiff`. */

/** A gradient request cannot be served: missing rule, bad cotangent, non-scalar output. */
export class GradientError extends Error {
  override readonly name = "GradientError";
}
