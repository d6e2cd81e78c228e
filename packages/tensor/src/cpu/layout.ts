/**
 * Data-movement kernels of the cpu backend: transpose, slice, concat,
 * gather, scatter-add and one-hot.
 */
import { allocTypedArray, type DType, type TypedArray } from "../dtype.js";
import { type Shape, sizeOf, stridesOf } from "../shape.js";
import { splitAroundAxis } from "./reduce.js";

export function transposeKernel(x: TypedArray, shape: Shape, perm: readonly number[], dtype: DType): TypedArray {
  const outShape = perm.map((axis) => shape[axis]!);
  const inStrides = stridesOf(shape);
  const strides = perm.map((axis) => inStrides[axis]!);
  const out = allocTypedArray(dtype, x.length);
  const rank = outShape.length;
  const coord = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < x.length; i++) {
    out[i] = x[offset]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      coord[axis]!++;
      offset += strides[axis]!;
      if (coord[axis]! < outShape[axis]!) break;
      offset -= strides[axis]! * outShape[axis]!;
      coord[axis] = 0;
    }
  }
  return out;
}

export function sliceKernel(
  x: TypedArray,
  shape: Shape,
  begin: readonly number[],
  size: readonly number[],
  dtype: DType,
): TypedArray {
  const strides = stridesOf(shape);
  const out = allocTypedArray(dtype, sizeOf(size));
  const rank = shape.length;
  if (out.length === 0) return out;
  const coord = new Array<number>(rank).fill(0);
  let offset = begin.reduce((acc, b, axis) => acc + b * strides[axis]!, 0);
  for (let i = 0; i < out.length; i++) {
    out[i] = x[offset]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      coord[axis]!++;
      offset += strides[axis]!;
      if (coord[axis]! < size[axis]!) break;
      offset -= strides[axis]! * size[axis]!;
      coord[axis] = 0;
    }
  }
  return out;
}

export function concatKernel(
  xs: readonly { values: TypedArray; shape: Shape }[],
  axis: number,
  outShape: Shape,
  dtype: DType,
): TypedArray {
  const out = allocTypedArray(dtype, sizeOf(outShape));
  const [outer, outLength, inner] = splitAroundAxis(outShape, axis);
  let axisOffset = 0;
  for (const { values, shape } of xs) {
    const length = shape[axis]!;
    const chunk = length * inner;
    for (let o = 0; o < outer; o++) {
      out.set(values.subarray(o * chunk, (o + 1) * chunk), o * outLength * inner + axisOffset * inner);
    }
    axisOffset += length;
  }
  return out;
}

export function gatherKernel(
  x: TypedArray,
  shape: Shape,
  indices: TypedArray,
  axis: number,
  dtype: DType,
): TypedArray {
  const [outer, length, inner] = splitAroundAxis(shape, axis);
  const count = indices.length;
  const out = allocTypedArray(dtype, outer * count * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const src = (o * length + indices[j]!) * inner;
      out.set(x.subarray(src, src + inner), (o * count + j) * inner);
    }
  }
  return out;
}

export function scatterAddKernel(
  updates: TypedArray,
  indices: TypedArray,
  axis: number,
  outShape: Shape,
  dtype: DType,
): TypedArray {
  const [outer, length, inner] = splitAroundAxis(outShape, axis);
  const count = indices.length;
  const out = allocTypedArray(dtype, sizeOf(outShape));
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < count; j++) {
      const dst = (o * length + indices[j]!) * inner;
      const src = (o * count + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = out[dst + i]! + updates[src + i]!;
    }
  }
  return out;
}

export function oneHotKernel(indices: TypedArray, depth: number, onValue: number, offValue: number): Float32Array {
  const out = new Float32Array(indices.length * depth).fill(offValue);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (index >= 0 && index < depth) out[i * depth + index] = onValue;
  }
  return out;
}
