/**
 * Error classes of `@modular/tensor`. Each message names the value that was
 * rejected, what was expected, and how to fix the call.
 */

/** Two shapes do not fit the operation (broadcasting, matmul, reshape, concat). */
export class ShapeError extends Error {
  override readonly name = "ShapeError";
}

/** A tensor has a dtype that the operation does not accept. */
export class DTypeError extends Error {
  override readonly name = "DTypeError";
}

/** An argument (axis, index, count, option) is outside its valid range. */
export class InvalidArgumentError extends Error {
  override readonly name = "InvalidArgumentError";
}

/** A tensor was used after `dispose()`. */
export class DisposedTensorError extends Error {
  override readonly name = "DisposedTensorError";
}

/** The operation needs a capability the tensor's backend lacks (for example a synchronous read). */
export class BackendError extends Error {
  override readonly name = "BackendError";
}
