/**
 * The `cpu` backend: typed arrays in JavaScript memory, synchronous kernels.
 * It is the reference that every other backend is tested against.
 */
import type {
  ArgReduceOp,
  Backend,
  BinaryOp,
  CompareOp,
  RandomDistribution,
  RandomKey,
  ReduceOp,
  Storage,
  TensorInfo,
  UnaryOp,
  Window2d,
} from "../backend.js";
import { allocTypedArray, type DType, type TypedArray } from "../dtype.js";
import { philoxNormal, philoxUniform } from "../random/philox.js";
import { type Shape, sizeOf } from "../shape.js";
import { binaryKernel, compareKernel, unaryKernel, whereKernel } from "./elementwise.js";
import {
  concatKernel,
  gatherKernel,
  oneHotKernel,
  scatterAddKernel,
  sliceKernel,
  transposeKernel,
} from "./layout.js";
import { choleskyKernel, triangularSolveKernel } from "./linalg.js";
import { matmulKernel } from "./matmul.js";
import {
  avgPool2dKernel,
  avgUnpool2dKernel,
  col2imKernel,
  gatherPool2dKernel,
  im2colKernel,
  maxPool2dIndicesKernel,
  maxUnpool2dKernel,
} from "./window.js";
import { argReduceKernel, reduceKernel, softmaxKernel } from "./reduce.js";

export interface CpuStorage extends Storage {
  readonly backend: "cpu";
  readonly values: TypedArray;
}

function store(values: TypedArray): CpuStorage {
  return { backend: "cpu", values };
}

function valuesOf(x: TensorInfo): TypedArray {
  return (x.storage as CpuStorage).values;
}

export class CpuBackend implements Backend {
  readonly name = "cpu";

  upload(values: TypedArray, dtype: DType): Storage {
    const copy = allocTypedArray(dtype, values.length);
    copy.set(values);
    return store(copy);
  }

  fill(size: number, value: number, dtype: DType): Storage {
    return store(allocTypedArray(dtype, size).fill(value));
  }

  read(storage: Storage, dtype: DType, size: number): Promise<TypedArray> {
    return Promise.resolve(this.readSync(storage, dtype, size));
  }

  readSync(storage: Storage, _dtype: DType, _size: number): TypedArray {
    return (storage as CpuStorage).values.slice();
  }

  release(_storage: Storage): void {
    // Typed arrays are garbage-collected once no tensor refers to them.
  }

  unary(op: UnaryOp, x: TensorInfo): Storage {
    return store(unaryKernel(op, valuesOf(x), x.dtype));
  }

  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: Shape): Storage {
    return store(binaryKernel(op, valuesOf(a), a.shape, valuesOf(b), b.shape, outShape, a.dtype));
  }

  compare(op: CompareOp, a: TensorInfo, b: TensorInfo, outShape: Shape): Storage {
    return store(compareKernel(op, valuesOf(a), a.shape, valuesOf(b), b.shape, outShape));
  }

  where(condition: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: Shape): Storage {
    return store(
      whereKernel(valuesOf(condition), condition.shape, valuesOf(a), a.shape, valuesOf(b), b.shape, outShape, a.dtype),
    );
  }

  cast(x: TensorInfo, dtype: DType): Storage {
    const values = valuesOf(x);
    const out = allocTypedArray(dtype, values.length);
    if (dtype === "int32") for (let i = 0; i < values.length; i++) out[i] = Math.trunc(values[i]!);
    else out.set(values);
    return store(out);
  }

  matmul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, outShape: Shape): Storage {
    const rank = outShape.length;
    const m = outShape[rank - 2]!;
    const n = outShape[rank - 1]!;
    const k = transposeA ? a.shape[a.shape.length - 2]! : a.shape[a.shape.length - 1]!;
    const batch = sizeOf(outShape.slice(0, rank - 2));
    return store(matmulKernel(valuesOf(a), valuesOf(b), batch, m, n, k, transposeA, transposeB, a.dtype));
  }

  cholesky(a: TensorInfo, jitter: number): Storage {
    const n = a.shape[a.shape.length - 1]!;
    const batch = sizeOf(a.shape.slice(0, -2));
    return store(choleskyKernel(valuesOf(a) as Float32Array, batch, n, jitter));
  }

  triangularSolve(l: TensorInfo, b: TensorInfo, transpose: boolean): Storage {
    const n = l.shape[l.shape.length - 1]!;
    const k = b.shape[b.shape.length - 1]!;
    const batch = sizeOf(l.shape.slice(0, -2));
    return store(triangularSolveKernel(valuesOf(l) as Float32Array, valuesOf(b) as Float32Array, batch, n, k, transpose));
  }

  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): Storage {
    return store(reduceKernel(op, valuesOf(x), x.shape, axes, x.dtype));
  }

  argReduce(op: ArgReduceOp, x: TensorInfo, axis: number): Storage {
    return store(argReduceKernel(op, valuesOf(x), x.shape, axis));
  }

  softmax(x: TensorInfo, axis: number, log: boolean): Storage {
    return store(softmaxKernel(valuesOf(x), x.shape, axis, log));
  }

  gather(x: TensorInfo, indices: TensorInfo, axis: number): Storage {
    return store(gatherKernel(valuesOf(x), x.shape, valuesOf(indices), axis, x.dtype));
  }

  scatterAdd(updates: TensorInfo, indices: TensorInfo, axis: number, outShape: Shape): Storage {
    return store(scatterAddKernel(valuesOf(updates), valuesOf(indices), axis, outShape, updates.dtype));
  }

  oneHot(indices: TensorInfo, depth: number, onValue: number, offValue: number): Storage {
    return store(oneHotKernel(valuesOf(indices), depth, onValue, offValue));
  }

  transpose(x: TensorInfo, perm: readonly number[]): Storage {
    return store(transposeKernel(valuesOf(x), x.shape, perm, x.dtype));
  }

  slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): Storage {
    return store(sliceKernel(valuesOf(x), x.shape, begin, size, x.dtype));
  }

  concat(xs: readonly TensorInfo[], axis: number, outShape: Shape): Storage {
    const parts = xs.map((x) => ({ values: valuesOf(x), shape: x.shape }));
    return store(concatKernel(parts, axis, outShape, xs[0]!.dtype));
  }

  im2col(x: TensorInfo, window: Window2d): Storage {
    return store(im2colKernel(valuesOf(x), window));
  }

  col2im(cols: TensorInfo, window: Window2d): Storage {
    return store(col2imKernel(valuesOf(cols), window));
  }

  maxPool2dIndices(x: TensorInfo, window: Window2d): Storage {
    return store(maxPool2dIndicesKernel(valuesOf(x), window));
  }

  gatherPool2d(x: TensorInfo, indices: TensorInfo, window: Window2d): Storage {
    return store(gatherPool2dKernel(valuesOf(x), valuesOf(indices), window));
  }

  maxUnpool2d(values: TensorInfo, indices: TensorInfo, window: Window2d): Storage {
    return store(maxUnpool2dKernel(valuesOf(values), valuesOf(indices), window));
  }

  avgPool2d(x: TensorInfo, window: Window2d, divide: boolean): Storage {
    return store(avgPool2dKernel(valuesOf(x), window, divide));
  }

  avgUnpool2d(values: TensorInfo, window: Window2d, divide: boolean): Storage {
    return store(avgUnpool2dKernel(valuesOf(values), window, divide));
  }

  random(distribution: RandomDistribution, key: RandomKey, size: number): Storage {
    const out = new Float32Array(size);
    if (distribution === "uniform") philoxUniform(key, out);
    else philoxNormal(key, out);
    return store(out);
  }
}
