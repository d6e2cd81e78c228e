/**
 * Shape arithmetic shared by the frontend ops and every backend: element
 * counts, row-major strides, broadcasting (NumPy rules) and axis checks.
 */
import { InvalidArgumentError, ShapeError } from "./errors.js";

export type Shape = readonly number[];

/** Number of elements of a tensor with this shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** Row-major strides, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Check that every dimension is a non-negative integer. */
export function assertValidShape(shape: Shape, what = "shape"): void {
  for (const dim of shape) {
    if (!Number.isInteger(dim) || dim < 0) {
      throw new ShapeError(
        `Invalid ${what} ${formatShape(shape)}: every dimension must be a non-negative integer.`,
      );
    }
  }
}

/**
 * The shape two operands broadcast to, with NumPy's rules: shapes align on
 * the right, and each pair of dimensions must be equal or contain a 1.
 */
export function broadcastShapes(a: Shape, b: Shape, opName: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${opName}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast ` +
          `(dimension ${i} of the aligned shapes is ${da} vs ${db}; each pair must be equal or 1).`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides to read an operand of shape `shape` as if it had shape `outShape`:
 * broadcast dimensions get stride 0.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, i) => {
    const axis = i - offset;
    if (axis < 0) return 0;
    return shape[axis] === 1 ? 0 : own[axis]!;
  });
}

/** Resolve a possibly negative axis against `rank` and check its range. */
export function normalizeAxis(axis: number, rank: number, opName: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new InvalidArgumentError(
      `${opName}: axis ${axis} is out of range for a tensor of rank ${rank} ` +
        `(valid axes are ${-rank} to ${rank - 1}).`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

/** Resolve a list of axes (or all axes when `axes` is undefined), sorted and deduplicated. */
export function normalizeAxes(
  axes: number | readonly number[] | undefined,
  rank: number,
  opName: string,
): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  const resolved = list.map((axis) => normalizeAxis(axis, rank, opName));
  return [...new Set(resolved)].sort((x, y) => x - y);
}

/** Shape after reducing `axes`, keeping them as size-1 dimensions when `keepDims`. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((dim, axis) => {
    if (!axes.includes(axis)) out.push(dim);
    else if (keepDims) out.push(1);
  });
  return out;
}
