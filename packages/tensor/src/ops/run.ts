/**
 * The common path of every frontend op: check the inputs are alive and on
 * one backend, run one kernel, wrap the storage in a tensor, and report the
 * op to listeners (tapes).
 */
import type { Backend, Storage } from "../backend.js";
import type { DType } from "../dtype.js";
import { emitOp, getBackend } from "../engine.js";
import { BackendError, DTypeError } from "../errors.js";
import { formatShape, type Shape } from "../shape.js";
import { Tensor } from "../tensor.js";

/** The backend that the inputs live on (all must share one), or the active backend with no inputs. */
export function backendOf(inputs: readonly Tensor[], opName: string): Backend {
  const first = inputs[0];
  if (first === undefined) return getBackend();
  for (const input of inputs) {
    void input.storage; // throws DisposedTensorError when disposed
    if (input.backend !== first.backend) {
      throw new BackendError(
        `${opName}: inputs live on different backends ("${first.backend.name}" and "${input.backend.name}"). ` +
          `Move them to one backend first.`,
      );
    }
  }
  return first.backend;
}

/**
 * Run `kernel` on the inputs' backend and return its result as a tensor of
 * `shape` and `dtype`, reporting the op as `name` with `attrs`.
 */
export function runOp(
  name: string,
  inputs: readonly Tensor[],
  attrs: Record<string, unknown>,
  shape: Shape,
  dtype: DType,
  kernel: (backend: Backend) => Storage,
): Tensor {
  const backend = backendOf(inputs, name);
  const output = new Tensor(kernel(backend), shape, dtype, backend);
  emitOp({ name, inputs, output, attrs });
  return output;
}

/** Throw unless `x` is float32: the op has no meaning on integers. */
export function assertFloat(x: Tensor, opName: string): void {
  if (x.dtype !== "float32") {
    throw new DTypeError(
      `${opName} requires a float32 tensor, but got ${x.dtype} ${formatShape(x.shape)}. ` +
        `Convert it with cast(x, "float32").`,
    );
  }
}

/** Throw unless `a` and `b` have one dtype. */
export function assertSameDtype(a: Tensor, b: Tensor, opName: string): void {
  if (a.dtype !== b.dtype) {
    throw new DTypeError(
      `${opName}: operands have different dtypes (${a.dtype} ${formatShape(a.shape)} and ` +
        `${b.dtype} ${formatShape(b.shape)}). Convert one with cast().`,
    );
  }
}
