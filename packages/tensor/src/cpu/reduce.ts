/**
 * Reductions of the cpu backend: sum/max/min over any set of axes, argmax and
 * argmin along one axis, and softmax along one axis. Single-axis work views
 * the tensor as [outer, length, inner].
 */
import type { ArgReduceOp, ReduceOp } from "../backend.js";
import { allocTypedArray, type DType, type TypedArray } from "../dtype.js";
import { reducedShape, type Shape, sizeOf, stridesOf } from "../shape.js";

/** Sizes of the axes before, at and after `axis`. */
export function splitAroundAxis(shape: Shape, axis: number): [number, number, number] {
  const outer = sizeOf(shape.slice(0, axis));
  const length = shape[axis]!;
  const inner = sizeOf(shape.slice(axis + 1));
  return [outer, length, inner];
}

/** Return the starting value of a reduction: 0 for sum, the lowest value for max, the highest for min. */
function reduceIdentity(op: ReduceOp, dtype: DType): number {
  if (op === "sum") return 0;
  if (dtype === "int32") return op === "max" ? -2147483648 : 2147483647;
  return op === "max" ? -Infinity : Infinity;
}

export function reduceKernel(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], dtype: DType): TypedArray {
  const outShape = reducedShape(shape, axes, false);
  const outSize = sizeOf(outShape);
  const out = allocTypedArray(dtype, outSize);
  out.fill(reduceIdentity(op, dtype));
  if (x.length === 0) return out;

  // Output stride of each input axis: 0 for a reduced axis.
  const keptStrides = stridesOf(reducedShape(shape, axes, true));
  const strides = shape.map((_, axis) => (axes.includes(axis) ? 0 : keptStrides[axis]!));
  const rank = shape.length;
  const coord = new Array<number>(rank).fill(0);
  let o = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (op === "sum") out[o] = out[o]! + v;
    else if (op === "max") {
      if (v > out[o]! || Number.isNaN(v)) out[o] = v;
    } else if (v < out[o]! || Number.isNaN(v)) out[o] = v;

    for (let axis = rank - 1; axis >= 0; axis--) {
      coord[axis]!++;
      o += strides[axis]!;
      if (coord[axis]! < shape[axis]!) break;
      o -= strides[axis]! * shape[axis]!;
      coord[axis] = 0;
    }
  }
  return out;
}

export function argReduceKernel(op: ArgReduceOp, x: TypedArray, shape: Shape, axis: number): Int32Array {
  const [outer, length, inner] = splitAroundAxis(shape, axis);
  const out = new Int32Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * length * inner + i;
      let best = x[base]!;
      let bestIndex = 0;
      for (let j = 1; j < length; j++) {
        const v = x[base + j * inner]!;
        const better = op === "argmax" ? v > best : v < best;
        if (better) {
          best = v;
          bestIndex = j;
        }
      }
      out[o * inner + i] = bestIndex;
    }
  }
  return out;
}

/** softmax(x) = exp(x - max) / sum(exp(x - max)); log-softmax = x - max - log(sum(exp(x - max))). */
export function softmaxKernel(x: TypedArray, shape: Shape, axis: number, log: boolean): Float32Array {
  const [outer, length, inner] = splitAroundAxis(shape, axis);
  const out = new Float32Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * length * inner + i;
      let max = -Infinity;
      for (let j = 0; j < length; j++) max = Math.max(max, x[base + j * inner]!);
      let sum = 0;
      for (let j = 0; j < length; j++) sum += Math.exp(x[base + j * inner]! - max);
      const logSum = Math.log(sum);
      for (let j = 0; j < length; j++) {
        const shifted = x[base + j * inner]! - max;
        out[base + j * inner] = log ? shifted - logSum : Math.exp(shifted) / sum;
      }
    }
  }
  return out;
}
