/** Element types. `float32` for values, `int32` for labels, indices and masks. */
export type DType = "float32" | "int32";

/** The typed array that stores the elements of each dtype. */
export type TypedArray = Float32Array | Int32Array;

export type TypedArrayFor<D extends DType> = D extends "float32" ? Float32Array : Int32Array;

/** Allocate a zero-filled typed array of `size` elements for `dtype`. */
export function allocTypedArray(dtype: DType, size: number): TypedArray {
  return dtype === "float32" ? new Float32Array(size) : new Int32Array(size);
}

export const BYTES_PER_ELEMENT = 4;
