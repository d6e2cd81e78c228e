/** Shape and data-movement ops: reshape, transpose, slice, concat, gather, scatterAdd, oneHot, broadcastTo. */
import { DTypeError, InvalidArgumentError, ShapeError } from "../errors.js";
import { emitOp } from "../engine.js";
import {
  assertValidShape,
  broadcastShapes,
  formatShape,
  normalizeAxis,
  type Shape,
  shapesEqual,
  sizeOf,
} from "../shape.js";
import { Tensor } from "../tensor.js";
import { add } from "./elementwise.js";
import { backendOf, runOp } from "./run.js";

/**
 * Return the same elements with a new shape. One dimension may be -1 and is then
 * inferred. The result shares storage with `x` (no copy).
 */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const inferred = inferShape(x, shape);
  const backend = backendOf([x], "reshape");
  const output = new Tensor(x.storage, inferred, x.dtype, backend);
  emitOp({ name: "reshape", inputs: [x], output, attrs: { shape: inferred } });
  return output;
}

function inferShape(x: Tensor, shape: Shape): number[] {
  const unknown = shape.filter((dim) => dim === -1).length;
  if (unknown > 1) {
    throw new ShapeError(`reshape: shape ${formatShape(shape)} has more than one -1; at most one can be inferred.`);
  }
  const known = sizeOf(shape.filter((dim) => dim !== -1));
  // An empty tensor infers 0 for the -1 dimension instead of dividing by zero.
  const inferred = known === 0 ? 0 : x.size / known;
  const out = shape.map((dim) => (dim === -1 ? inferred : dim));
  assertValidShape(out, "reshape target");
  if (sizeOf(out) !== x.size) {
    throw new ShapeError(
      `reshape: cannot reshape ${formatShape(x.shape)} (${x.size} elements) to ${formatShape(shape)} ` +
        `(${sizeOf(out)} elements).`,
    );
  }
  return out;
}

/** Permute axes; without `perm`, reverse them (the matrix transpose for rank 2). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const order = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  const sorted = [...order].sort((a, b) => a - b);
  if (order.length !== x.rank || sorted.some((axis, i) => axis !== i)) {
    throw new InvalidArgumentError(
      `transpose: perm [${order.join(", ")}] is not a permutation of the ${x.rank} axes of ${formatShape(x.shape)}.`,
    );
  }
  const outShape = order.map((axis) => x.shape[axis]!);
  return runOp("transpose", [x], { perm: order }, outShape, x.dtype, (backend) => backend.transpose(x, order));
}

/**
 * Copy the box of `x` that starts at `begin` with extent `size` (-1 means "to
 * the end of that axis").
 */
export function slice(x: Tensor, begin: readonly number[], size?: readonly number[]): Tensor {
  if (begin.length !== x.rank || (size !== undefined && size.length !== x.rank)) {
    throw new InvalidArgumentError(
      `slice: begin [${begin.join(", ")}] and size [${size?.join(", ") ?? ""}] must each have ` +
        `${x.rank} entries for a tensor of shape ${formatShape(x.shape)}.`,
    );
  }
  const extent = x.shape.map((dim, axis) => {
    const requested = size?.[axis] ?? -1;
    return requested === -1 ? dim - begin[axis]! : requested;
  });
  x.shape.forEach((dim, axis) => {
    const b = begin[axis]!;
    const e = extent[axis]!;
    if (!Number.isInteger(b) || !Number.isInteger(e) || b < 0 || e < 0 || b + e > dim) {
      throw new InvalidArgumentError(
        `slice: axis ${axis} of ${formatShape(x.shape)} has size ${dim}, but the slice covers ` +
          `[${b}, ${b + e}). Keep begin + size within the axis.`,
      );
    }
  });
  return runOp("slice", [x], { begin: [...begin], size: extent }, extent, x.dtype, (backend) =>
    backend.slice(x, begin, extent),
  );
}

/** Join tensors along `axis`; every other dimension and the dtype must agree. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  const first = xs[0];
  if (first === undefined) throw new InvalidArgumentError("concat: needs at least one tensor, but got none.");
  const resolved = normalizeAxis(axis, first.rank, "concat");
  for (const x of xs) {
    const sameOtherDims =
      x.rank === first.rank && x.shape.every((dim, i) => i === resolved || dim === first.shape[i]);
    if (!sameOtherDims || x.dtype !== first.dtype) {
      throw new ShapeError(
        `concat: ${x.dtype} ${formatShape(x.shape)} does not fit ${first.dtype} ${formatShape(first.shape)} ` +
          `along axis ${resolved}; all dimensions except the concat axis, and the dtype, must match.`,
      );
    }
  }
  const outShape = [...first.shape];
  outShape[resolved] = xs.reduce((acc, x) => acc + x.shape[resolved]!, 0);
  return runOp("concat", xs, { axis: resolved }, outShape, first.dtype, (backend) =>
    backend.concat(xs, resolved, outShape),
  );
}

/**
 * Throw unless `indices` is int32 and every index is in [0, size). The range
 * check needs the values on the host: a synchronous read, or the backend's
 * host copy. Without either (webgpu indices computed on the device) it is skipped.
 */
function checkIndices(indices: Tensor, size: number, opName: string, what: string): void {
  if (indices.dtype !== "int32") {
    throw new DTypeError(`${opName}: indices must be int32, but got ${indices.dtype} ${formatShape(indices.shape)}.`);
  }
  const values =
    indices.backend.readSync === undefined ? indices.backend.hostCopy?.(indices.storage) : indices.dataSync();
  if (values === undefined) return;
  for (let i = 0; i < values.length; i++) {
    const index = values[i]!;
    if (index < 0 || index >= size) {
      throw new InvalidArgumentError(
        `${opName}: index ${index} at position ${i} is outside [0, ${size}) ${what}.`,
      );
    }
  }
}

/**
 * Slices of `x` along `axis` (default 0) at `indices`. Output shape:
 * x.shape[:axis] + indices.shape + x.shape[axis+1:].
 */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  const resolved = normalizeAxis(axis, x.rank, "gather");
  checkIndices(indices, x.shape[resolved]!, "gather", `for axis ${resolved} of ${formatShape(x.shape)}`);
  const outShape = [...x.shape.slice(0, resolved), ...indices.shape, ...x.shape.slice(resolved + 1)];
  return runOp("gather", [x, indices], { axis: resolved }, outShape, x.dtype, (backend) =>
    backend.gather(x, indices, resolved),
  );
}

/**
 * Sum slices of `updates` into zeros of `shape` along `axis` at `indices`:
 * the adjoint of `gather`. Repeated indices accumulate.
 */
export function scatterAdd(updates: Tensor, indices: Tensor, axis: number, shape: Shape): Tensor {
  const resolved = normalizeAxis(axis, shape.length, "scatterAdd");
  checkIndices(indices, shape[resolved]!, "scatterAdd", `for axis ${resolved} of ${formatShape(shape)}`);
  const expected = [...shape.slice(0, resolved), ...indices.shape, ...shape.slice(resolved + 1)];
  if (!shapesEqual(expected, updates.shape)) {
    throw new ShapeError(
      `scatterAdd: updates have shape ${formatShape(updates.shape)}, but ${formatShape(expected)} was expected ` +
        `for indices ${formatShape(indices.shape)} into ${formatShape(shape)} along axis ${resolved}.`,
    );
  }
  return runOp("scatterAdd", [updates, indices], { axis: resolved, shape: [...shape] }, shape, updates.dtype, (backend) =>
    backend.scatterAdd(updates, indices, resolved, shape),
  );
}

/**
 * One-hot encoding of int32 class indices into float32 [...indices.shape, depth].
 * Every index must be in [0, depth): a label outside the class range is an error, never a zero row.
 * NOTE: on webgpu the check runs only for labels uploaded from the host. Labels computed on the
 * device are not checked, so an out-of-range one gives a row of `offValue`.
 */
export function oneHot(indices: Tensor, depth: number, onValue = 1, offValue = 0): Tensor {
  if (!Number.isInteger(depth) || depth <= 0) {
    throw new InvalidArgumentError(`oneHot: depth ${depth} is invalid; it must be a positive integer.`);
  }
  checkIndices(indices, depth, "oneHot", `(labels must be class indices below the class count ${depth})`);
  return runOp("oneHot", [indices], { depth }, [...indices.shape, depth], "float32", (backend) =>
    backend.oneHot(indices, depth, onValue, offValue),
  );
}

/** `x` repeated along broadcast dimensions to `shape` (NumPy broadcasting rules). */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const outShape = broadcastShapes(x.shape, shape, "broadcastTo");
  if (!shapesEqual(outShape, shape)) {
    throw new ShapeError(`broadcastTo: ${formatShape(x.shape)} cannot be broadcast to ${formatShape(shape)}.`);
  }
  return addZeros(x, shape);
}

/** Broadcast by adding zeros of the target shape, so a tape records an ordinary `add`. */
function addZeros(x: Tensor, shape: Shape): Tensor {
  const backend = backendOf([x], "broadcastTo");
  const zeros = new Tensor(backend.fill(sizeOf(shape), 0, x.dtype), shape, x.dtype, backend);
  return add(x, zeros);
}
