/**
 * Index maps for broadcasting on the cpu backend: for each element of the
 * output, the flat index of the operand element it reads. Maps are cached
 * by shape pair because training repeats the same shapes every step.
 */
import { broadcastStrides, type Shape, shapesEqual, sizeOf } from "../shape.js";

const CACHE_LIMIT = 256;
const cache = new Map<string, Int32Array>();

/**
 * Return the flat operand index for every output element, or `undefined` when the
 * operand already has the output's shape (the identity map).
 */
export function broadcastIndex(outShape: Shape, shape: Shape): Int32Array | undefined {
  if (shapesEqual(outShape, shape)) return undefined;
  const key = `${outShape.join(",")}|${shape.join(",")}`;
  const cached = cache.get(key);
  if (cached !== undefined) return cached;

  const index = buildIndex(outShape, broadcastStrides(shape, outShape));
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, index);
  return index;
}

/** Walk the output in row-major order, advancing the operand offset by `strides`. */
function buildIndex(outShape: Shape, strides: readonly number[]): Int32Array {
  const size = sizeOf(outShape);
  const rank = outShape.length;
  const index = new Int32Array(size);
  const coord = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < size; i++) {
    index[i] = offset;
    for (let axis = rank - 1; axis >= 0; axis--) {
      coord[axis]!++;
      offset += strides[axis]!;
      if (coord[axis]! < outShape[axis]!) break;
      offset -= strides[axis]! * outShape[axis]!;
      coord[axis] = 0;
    }
  }
  return index;
}
