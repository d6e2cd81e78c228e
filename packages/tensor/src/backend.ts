/**
 * The `Backend` contract: the few kernels every backend implements.
 *
 * A backend owns storage and runs kernels over it. It has no notion of
 * gradients, scopes or user-facing validation: the frontend ops in `ops/`
 * check shapes, dtypes and axes, compute output shapes, and then call
 * exactly one kernel here with arguments that are already valid. That keeps
 * each backend a plain list of numeric kernels, so a new backend (such as
 * `webgpu`) can be written and tested against `cpu` op by op.
 *
 * Storage is opaque to the frontend: the `cpu` backend stores typed arrays,
 * a GPU backend stores buffers.
 */
import type { DType, TypedArray } from "./dtype.js";
import type { Shape } from "./shape.js";

/** Opaque handle to a backend's storage of one tensor. */
export interface Storage {
  readonly backend: string;
}

/** Description of an input tensor as a kernel reads it: storage, shape and dtype. */
export interface TensorInfo {
  readonly storage: Storage;
  readonly shape: Shape;
  readonly dtype: DType;
}

export type UnaryOp =
  | "neg"
  | "abs"
  | "sign"
  | "exp"
  | "log"
  | "log1p"
  | "sqrt"
  | "rsqrt"
  | "square"
  | "reciprocal"
  | "relu"
  | "sigmoid"
  | "tanh"
  | "floor"
  | "ceil"
  | "isFinite";

export type BinaryOp = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum";

export type CompareOp = "equal" | "notEqual" | "less" | "lessEqual" | "greater" | "greaterEqual";

export type ReduceOp = "sum" | "max" | "min";

export type ArgReduceOp = "argmax" | "argmin";

export type RandomDistribution = "uniform" | "normal";

/** Seed of a counter-based random draw: a 64-bit key as two 32-bit words. */
export interface RandomKey {
  readonly hi: number;
  readonly lo: number;
}

/**
 * Geometry of a sliding 2-D window over NCHW tensors, shared by the
 * convolution and pooling kernels. The frontend computes the output extent
 * from the others and checks it is at least 1. Window element (i, j) of
 * output position (oh, ow) reads input row `oh * strideH - padH + i * dilationH`
 * and column `ow * strideW - padW + j * dilationW`; rows and columns outside
 * the input are padding.
 */
export interface Window2d {
  readonly batch: number;
  readonly channels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly padH: number;
  readonly padW: number;
  /** Always 1 for the pooling kernels. */
  readonly dilationH: number;
  readonly dilationW: number;
}

export interface Backend {
  readonly name: string;

  /** Copy `values` into new storage. The backend may keep no reference to `values`. */
  upload(values: TypedArray, dtype: DType): Storage;
  /** Fill new storage of `size` elements with one value. */
  fill(size: number, value: number, dtype: DType): Storage;
  /** Read a copy of the elements back, asynchronously. */
  read(storage: Storage, dtype: DType, size: number): Promise<TypedArray>;
  /** Read a copy of the elements back, synchronously; backends that cannot do so omit this. */
  readSync?(storage: Storage, dtype: DType, size: number): TypedArray;
  /**
   * A host copy of the elements if the backend keeps one without reading the
   * device, else `undefined`. Frontend checks (index ranges) use it on
   * backends without `readSync`.
   */
  hostCopy?(storage: Storage): TypedArray | undefined;
  /** Release the storage. The frontend calls this exactly once per storage. */
  release(storage: Storage): void;

  /** Element-wise unary op. Output dtype equals input dtype, except `isFinite` (int32). */
  unary(op: UnaryOp, x: TensorInfo): Storage;
  /** Element-wise binary op on same-dtype inputs, broadcast to `outShape`. */
  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: Shape): Storage;
  /** Element-wise comparison, broadcast to `outShape`; output is int32 0 or 1. */
  compare(op: CompareOp, a: TensorInfo, b: TensorInfo, outShape: Shape): Storage;
  /** `condition != 0 ? a : b`, all three broadcast to `outShape`; output dtype is `a`'s. */
  where(condition: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: Shape): Storage;
  /** Convert to another dtype (float32 to int32 truncates toward zero). */
  cast(x: TensorInfo, dtype: DType): Storage;

  /**
   * Matrix product of the last two axes, batched over the leading axes (which
   * the frontend has checked are equal). With the flags, `a` is read as
   * `[..., K, M]` and `b` as `[..., N, K]`. Output shape `[..., M, N]`.
   */
  matmul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, outShape: Shape): Storage;

  /**
   * Cholesky factor of each symmetric positive definite matrix `a`
   * [..., n, n] plus `jitter` on its diagonal: the lower-triangular L with
   * L Lᵀ = a + jitter·I, zero above the diagonal. Only the lower triangle of
   * `a` is read. A pivot that is not positive makes its diagonal entry NaN,
   * and NaN then spreads to every entry computed from it.
   */
  cholesky(a: TensorInfo, jitter: number): Storage;
  /**
   * Solve L X = B (or Lᵀ X = B with `transpose`) for X [..., n, k] by
   * substitution, where `l` [..., n, n] is lower triangular (its strict upper
   * triangle is not read) and `b` is [..., n, k] with the same batch axes.
   */
  triangularSolve(l: TensorInfo, b: TensorInfo, transpose: boolean): Storage;
  /** Reduce over `axes` (sorted, unique). Output has the reduced shape without kept dims. */
  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): Storage;
  /** Index of the max (or min) along one axis; ties take the first index. Output is int32. */
  argReduce(op: ArgReduceOp, x: TensorInfo, axis: number): Storage;
  /** Numerically stable softmax (or log-softmax) along one axis. */
  softmax(x: TensorInfo, axis: number, log: boolean): Storage;

  /** Take slices of `x` along `axis` at int32 `indices` (already checked in range). */
  gather(x: TensorInfo, indices: TensorInfo, axis: number): Storage;
  /**
   * Sum slices of `updates` into a zero tensor of `outShape` along `axis` at
   * `indices`: the adjoint of `gather`. Repeated indices accumulate.
   */
  scatterAdd(updates: TensorInfo, indices: TensorInfo, axis: number, outShape: Shape): Storage;
  /** One-hot encoding of int32 `indices` into float32 `[...indices.shape, depth]`. */
  oneHot(indices: TensorInfo, depth: number, onValue: number, offValue: number): Storage;

  /** Permute axes: output axis i is input axis `perm[i]`. */
  transpose(x: TensorInfo, perm: readonly number[]): Storage;
  /** Copy the box that starts at `begin` with extent `size`. */
  slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): Storage;
  /** Join same-dtype tensors along `axis`. */
  concat(xs: readonly TensorInfo[], axis: number, outShape: Shape): Storage;

  /**
   * Patch extraction for convolution. `x` is [N, C, H, W] and the output is
   * [N * OH * OW, C * KH * KW]. Row (n, oh, ow) contains the window of output
   * position (oh, ow) of image n, channel-major, with zeros for padding.
   */
  im2col(x: TensorInfo, window: Window2d): Storage;
  /**
   * The adjoint of `im2col`: sum each entry of `cols` ([N * OH * OW, C * KH * KW])
   * into the input position it was read from, giving [N, C, H, W]. Entries
   * that were read from padding are dropped.
   */
  col2im(cols: TensorInfo, window: Window2d): Storage;
  /**
   * Index of the largest in-bounds element of each pooling window, as a flat
   * index into its H * W plane. Ties take the first in row-major order.
   * Output int32 [N, C, OH, OW].
   */
  maxPool2dIndices(x: TensorInfo, window: Window2d): Storage;
  /** Pick `x` [N, C, H, W] at `indices` [N, C, OH, OW] (flat per plane). Output [N, C, OH, OW]. */
  gatherPool2d(x: TensorInfo, indices: TensorInfo, window: Window2d): Storage;
  /**
   * The adjoint of `gatherPool2d`: sum each value into its indexed position of
   * zeros [N, C, H, W]. A value whose index lies outside its own window is dropped.
   */
  maxUnpool2d(values: TensorInfo, indices: TensorInfo, window: Window2d): Storage;
  /**
   * Sum of each window's in-bounds elements, divided by their count when
   * `divide` is set. Output [N, C, OH, OW].
   */
  avgPool2d(x: TensorInfo, window: Window2d, divide: boolean): Storage;
  /**
   * The adjoint of `avgPool2d`: every input position [N, C, H, W] sums the
   * values of the windows that contain it, each divided by its window's
   * in-bounds count when `divide` is set.
   */
  avgUnpool2d(values: TensorInfo, window: Window2d, divide: boolean): Storage;

  /**
   * Counter-based random draw: element i of the output is a pure function of
   * (`key`, i), so every backend produces the same values for the same key.
   * `uniform` gives [0, 1); `normal` gives mean 0, standard deviation 1.
   */
  random(distribution: RandomDistribution, key: RandomKey, size: number): Storage;

  /** Release device resources. Later calls on this backend are invalid. */
  dispose?(): void;
}
