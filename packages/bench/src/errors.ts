/** Errors of `@modular/bench`, raised with a message that names the value and the fix. */

/** An invalid benchmark option: an unknown target, a size or count out of range. */
export class BenchConfigError extends Error {
  override readonly name = "BenchConfigError";
}

/** A benchmark target that cannot run here, such as `tfjs-webgpu` without `navigator.gpu`. */
export class BenchUnavailableError extends Error {
  override readonly name = "BenchUnavailableError";
}

/** A benchmark document whose generated section cannot be replaced safely. */
export class BenchDocumentError extends Error {
  override readonly name = "BenchDocumentError";
}
