/** Reductions over axes (sum, mean, max, min), argmax/argmin, and softmax. */
import type { ReduceOp } from "../backend.js";
import { InvalidArgumentError } from "../errors.js";
import { normalizeAxes, normalizeAxis, reducedShape, sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { div } from "./elementwise.js";
import { reshape } from "./layout.js";
import { assertFloat, runOp } from "./run.js";

/** Axes to reduce (all when omitted) and whether to keep them as size-1 dimensions (default false). */
export interface ReduceOptions {
  readonly axis?: number | readonly number[];
  readonly keepDims?: boolean;
}

function reduce(op: ReduceOp, x: Tensor, options: ReduceOptions): Tensor {
  const axes = normalizeAxes(options.axis, x.rank, op);
  const keepDims = options.keepDims ?? false;
  if (op !== "sum") {
    for (const axis of axes) {
      if (x.shape[axis] === 0) {
        throw new InvalidArgumentError(`${op}: cannot reduce over axis ${axis}, which has size 0.`);
      }
    }
  }
  const outShape = reducedShape(x.shape, axes, keepDims);
  return runOp(op, [x], { axes, keepDims }, outShape, x.dtype, (backend) => backend.reduce(op, x, axes));
}

export const sum = (x: Tensor, options: ReduceOptions = {}): Tensor => reduce("sum", x, options);
export const max = (x: Tensor, options: ReduceOptions = {}): Tensor => reduce("max", x, options);
export const min = (x: Tensor, options: ReduceOptions = {}): Tensor => reduce("min", x, options);

/** Arithmetic mean over the axes (float32 only). */
export function mean(x: Tensor, options: ReduceOptions = {}): Tensor {
  assertFloat(x, "mean");
  const axes = normalizeAxes(options.axis, x.rank, "mean");
  const count = sizeOf(axes.map((axis) => x.shape[axis]!));
  return div(sum(x, options), count);
}

function argReduce(op: "argmax" | "argmin", x: Tensor, axis: number): Tensor {
  const resolved = normalizeAxis(axis, x.rank, op);
  if (x.shape[resolved] === 0) {
    throw new InvalidArgumentError(`${op}: axis ${axis} has size 0, so there is no ${op.slice(3)}.`);
  }
  const outShape = reducedShape(x.shape, [resolved], false);
  return runOp(op, [x], { axis: resolved }, outShape, "int32", (backend) => backend.argReduce(op, x, resolved));
}

/** Index of the largest element along `axis` (default last); ties take the first. int32. */
export const argmax = (x: Tensor, axis = -1): Tensor => argReduce("argmax", x, axis);
/** Index of the smallest element along `axis` (default last); ties take the first. int32. */
export const argmin = (x: Tensor, axis = -1): Tensor => argReduce("argmin", x, axis);

/** Softmax along `axis` (default last), computed after subtracting the max for stability. */
export function softmax(x: Tensor, axis = -1): Tensor {
  assertFloat(x, "softmax");
  const resolved = normalizeAxis(axis, x.rank, "softmax");
  return runOp("softmax", [x], { axis: resolved }, x.shape, "float32", (backend) =>
    backend.softmax(x, resolved, false),
  );
}

/** log(softmax(x)) along `axis` (default last), without forming softmax: finite for any finite input. */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  assertFloat(x, "logSoftmax");
  const resolved = normalizeAxis(axis, x.rank, "logSoftmax");
  return runOp("logSoftmax", [x], { axis: resolved }, x.shape, "float32", (backend) =>
    backend.softmax(x, resolved, true),
  );
}

/** Flatten a tensor to a vector: a convenience for reductions over everything. */
export function ravel(x: Tensor): Tensor {
  return reshape(x, [x.size]);
}
