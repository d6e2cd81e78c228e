/**
 * The `webgpu` backend: tensors in GPU storage buffers, kernels as generated
 * WGSL compute shaders. It runs on Dawn through the `webgpu` npm package in
 * Node.js and on `navigator.gpu` in browsers.
 *
 * Scheduling: every kernel records one compute pass into a shared command
 * encoder, which is submitted before any readback (and every
 * `MAX_PASSES_PER_SUBMIT` passes). Pipelines are cached per shader key.
 * Buffers come from a pool keyed by size. A released buffer returns to the
 * pool only at the next submit, after the commands that read it.
 */
/// <reference types="@webgpu/types" />
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
import { allocTypedArray, BYTES_PER_ELEMENT, type DType, type TypedArray } from "../dtype.js";
import { BackendError } from "../errors.js";
import { formatShape, type Shape, sizeOf, stridesOf } from "../shape.js";
import { BufferPool, type PoolStats } from "./buffer-pool.js";
import type { DeviceLimits, WebGpuContext } from "./device.js";
import {
  binaryExpression,
  castExpression,
  compareExpression,
  elementwiseKernel,
  type ElementwiseKernel,
  unaryExpression,
  whereExpression,
} from "./elementwise.js";
import {
  concatPartSource,
  gatherSource,
  oneHotSource,
  randomSource,
  scatterAddSource,
  stridedCopySource,
} from "./layout.js";
import { choleskySource, triangularSolveSource } from "./linalg.js";
import { chooseMatmulTiling, matmulSource } from "./matmul.js";
import { argReduceSource, reduceKernel, softmaxSource, splitAroundAxis } from "./reduce.js";
import { WORKGROUP_SIZE } from "./wgsl.js";
import {
  avgPool2dSource,
  avgUnpool2dSource,
  col2imSource,
  gatherPool2dSource,
  im2colSource,
  maxPool2dIndicesSource,
  maxUnpool2dSource,
  windowParams,
} from "./window.js";

export interface WebGpuStorage extends Storage {
  readonly backend: "webgpu";
  readonly buffer: GPUBuffer;
  /** The uploaded elements of a small int32 tensor, kept so that index range checks need no readback. */
  readonly hostCopy?: Int32Array;
}

/**
 * Largest int32 upload, in elements, whose host copy is kept. Labels and
 * index batches are far smaller; the cap bounds the host memory it costs.
 */
const HOST_COPY_MAX_ELEMENTS = 1 << 16;

/**
 * A GPU error the device reported: a validation or out-of-memory error, or
 * device loss. After one, every later call on the backend throws it.
 */
export class WebGpuDeviceError extends Error {
  override readonly name = "WebGpuDeviceError";
}

/**
 * Compute passes recorded before the encoder is submitted even without a
 * readback, so the GPU starts early and released buffers return to the pool.
 * A guess, not tuned.
 */
const MAX_PASSES_PER_SUBMIT = 64;

const MAP_READ = 0x1;
const COPY_DST = 0x8;

function bufferOf(x: TensorInfo | Storage): GPUBuffer {
  const storage = "storage" in x ? x.storage : x;
  return (storage as WebGpuStorage).buffer;
}

function pooledShape(window: Window2d): Shape {
  return [window.batch, window.channels, window.outHeight, window.outWidth];
}

function unpooledShape(window: Window2d): Shape {
  return [window.batch, window.channels, window.inHeight, window.inWidth];
}

export class WebGpuBackend implements Backend {
  readonly name = "webgpu";
  /** Keeps the GPU entry point and adapter reachable for as long as the device (see `WebGpuContext.gpu`). */
  readonly context: WebGpuContext;
  readonly device: GPUDevice;
  readonly limits: DeviceLimits;
  readonly adapterDescription: string;

  private readonly pool: BufferPool;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private encoder: GPUCommandEncoder | undefined;
  private passes = 0;
  /** Buffers released while unsubmitted commands may still read them. */
  private pendingRelease: GPUBuffer[] = [];
  private deviceError: WebGpuDeviceError | undefined;
  private disposed = false;

  constructor(context: WebGpuContext) {
    this.context = context;
    this.device = context.device;
    this.limits = context.limits;
    this.adapterDescription = context.adapterDescription;
    this.pool = new BufferPool(this.device);
    this.device.onuncapturederror = (event: GPUUncapturedErrorEvent) => {
      this.deviceError ??= new WebGpuDeviceError(`WebGPU error: ${event.error.message}`);
    };
    void this.device.lost.then((info) => {
      if (this.disposed) return;
      this.deviceError ??= new WebGpuDeviceError(
        `The WebGPU device was lost (${info.reason}): ${info.message}. Create the backend again.`,
      );
    });
  }

  /** Bytes and buffers in use by tensors and allocated on the device (pool included). */
  memoryStats(): PoolStats {
    return this.pool.stats();
  }

  // ---- storage ------------------------------------------------------------

  upload(values: TypedArray, dtype: DType): Storage {
    const buffer = this.allocate(values.length, [values.length], false);
    this.write(buffer, values);
    if (dtype === "int32" && values.length <= HOST_COPY_MAX_ELEMENTS) {
      const storage: WebGpuStorage = { backend: "webgpu", buffer, hostCopy: Int32Array.from(values) };
      return storage;
    }
    return this.store(buffer);
  }

  hostCopy(storage: Storage): TypedArray | undefined {
    return (storage as WebGpuStorage).hostCopy;
  }

  fill(size: number, value: number, dtype: DType): Storage {
    // Allocate first, so that a size over the device limits fails before the host copy is built.
    const buffer = this.allocate(size, [size], false);
    this.write(buffer, allocTypedArray(dtype, size).fill(value));
    return this.store(buffer);
  }

  private write(buffer: GPUBuffer, values: TypedArray): void {
    if (values.length === 0) return;
    this.device.queue.writeBuffer(buffer, 0, values.buffer, values.byteOffset, values.byteLength);
  }

  async read(storage: Storage, dtype: DType, size: number): Promise<TypedArray> {
    this.throwIfFailed();
    if (size === 0) return allocTypedArray(dtype, 0);
    const bytes = size * BYTES_PER_ELEMENT;
    const staging = this.device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
    this.commandEncoder().copyBufferToBuffer(bufferOf(storage), 0, staging, 0, bytes);
    this.flush();
    try {
      await staging.mapAsync(0x1 /* GPUMapMode.READ */);
      const copy = allocTypedArray(dtype, size);
      copy.set(dtype === "float32" ? new Float32Array(staging.getMappedRange()) : new Int32Array(staging.getMappedRange()));
      staging.unmap();
      return copy;
    } catch (error) {
      this.throwIfFailed();
      throw error;
    } finally {
      staging.destroy();
    }
  }

  release(storage: Storage): void {
    if (this.disposed) return;
    this.pendingRelease.push(bufferOf(storage));
    if (this.encoder === undefined) this.recyclePending();
  }

  dispose(): void {
    if (this.disposed) return;
    this.flush();
    this.disposed = true;
    this.pool.clear();
    this.pipelines.clear();
    this.device.destroy();
  }

  // ---- element-wise -------------------------------------------------------

  unary(op: UnaryOp, x: TensorInfo): Storage {
    const outDtype: DType = op === "isFinite" ? "int32" : x.dtype;
    return this.runElementwise(elementwiseKernel(op, [x], x.shape, outDtype, unaryExpression(op, x.dtype)), [x], x.shape);
  }

  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: Shape): Storage {
    const kernel = elementwiseKernel(op, [a, b], outShape, a.dtype, binaryExpression(op, a.dtype));
    return this.runElementwise(kernel, [a, b], outShape);
  }

  compare(op: CompareOp, a: TensorInfo, b: TensorInfo, outShape: Shape): Storage {
    return this.runElementwise(elementwiseKernel(op, [a, b], outShape, "int32", compareExpression(op, a.dtype)), [a, b], outShape);
  }

  where(condition: TensorInfo, a: TensorInfo, b: TensorInfo, outShape: Shape): Storage {
    const kernel = elementwiseKernel("where", [condition, a, b], outShape, a.dtype, whereExpression(condition.dtype));
    return this.runElementwise(kernel, [condition, a, b], outShape);
  }

  cast(x: TensorInfo, dtype: DType): Storage {
    return this.runElementwise(elementwiseKernel("cast", [x], x.shape, dtype, castExpression(x.dtype, dtype)), [x], x.shape);
  }

  /**
   * Run an element-wise kernel. An output larger than one storage binding
   * (`maxStorageBufferBindingSize`) runs as several dispatches over aligned
   * ranges of it. Same-shape operands are bound over the same range, and
   * scalar and broadcast operands whole.
   */
  private runElementwise(kernel: ElementwiseKernel, inputs: readonly TensorInfo[], outShape: Shape): Storage {
    const size = kernel.params[0]!;
    const out = this.allocate(size, outShape, false);
    const chunk = this.elementsPerBinding();
    if (size <= chunk) {
      this.dispatch1d(kernel.key, kernel.source, [...inputs.map(bufferOf), out], kernel.params, size);
      return this.store(out);
    }
    inputs.forEach((x, k) => {
      if (kernel.modes[k] !== "same") this.bound(kernel.key.split("|")[1]!, x);
    });
    const params = kernel.params.slice();
    for (let base = 0; base < size; base += chunk) {
      const length = Math.min(chunk, size - base);
      const range = (buffer: GPUBuffer): GPUBufferBinding => ({
        buffer,
        offset: base * BYTES_PER_ELEMENT,
        size: length * BYTES_PER_ELEMENT,
      });
      const bindings = inputs.map((x, k) => (kernel.modes[k] === "same" ? range(bufferOf(x)) : bufferOf(x)));
      params[0] = length;
      params[kernel.baseParam] = base;
      this.dispatch1d(kernel.key, kernel.source, [...bindings, range(out)], params, length);
    }
    return this.store(out);
  }

  /** Elements in the largest range one storage binding may cover, rounded down to the offset alignment. */
  private elementsPerBinding(): number {
    const alignment = this.limits.minStorageBufferOffsetAlignment / BYTES_PER_ELEMENT;
    const elements = Math.floor(this.limits.maxStorageBufferBindingSize / BYTES_PER_ELEMENT);
    return elements - (elements % alignment);
  }

  /**
   * Return the buffer of `x` after checking that it fits one storage
   * binding, because kernels other than the element-wise ones bind each
   * operand whole.
   */
  private bound(op: string, x: TensorInfo): GPUBuffer {
    const buffer = bufferOf(x);
    const limit = this.limits.maxStorageBufferBindingSize;
    if (sizeOf(x.shape) * BYTES_PER_ELEMENT > limit) {
      throw new BackendError(
        `webgpu: ${op} reads a tensor of shape ${formatShape(x.shape)} (${sizeOf(x.shape) * BYTES_PER_ELEMENT} bytes), ` +
          `more than the device's maxStorageBufferBindingSize of ${limit} bytes. Only element-wise ops split ` +
          `such tensors; slice it into smaller parts first, or run this op on the cpu backend.`,
      );
    }
    return buffer;
  }

  // ---- matmul and reductions ----------------------------------------------

  matmul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean, outShape: Shape): Storage {
    const rank = outShape.length;
    const m = outShape[rank - 2]!;
    const n = outShape[rank - 1]!;
    const k = transposeA ? a.shape[a.shape.length - 2]! : a.shape[a.shape.length - 1]!;
    const batch = sizeOf(outShape.slice(0, rank - 2));
    const out = this.allocate(batch * m * n, outShape);
    if (batch * m * n === 0) return this.store(out);

    const tile = chooseMatmulTiling(m, n);
    const groups: [number, number, number] = [Math.ceil(n / tile.tileN), Math.ceil(m / tile.tileM), batch];
    for (const count of groups) this.checkWorkgroups(count, "matmul", outShape);
    const key = `matmul|${a.dtype}|${transposeA}|${transposeB}|${tile.rows}x${tile.cols}x${tile.workgroupY}`;
    this.dispatch(
      key,
      () => matmulSource(a.dtype, transposeA, transposeB, tile),
      [this.bound("matmul", a), this.bound("matmul", b), out],
      new Uint32Array([m, n, k]),
      groups,
    );
    return this.store(out);
  }

  cholesky(a: TensorInfo, jitter: number): Storage {
    const n = a.shape[a.shape.length - 1]!;
    const batch = sizeOf(a.shape.slice(0, -2));
    const out = this.allocate(batch * n * n, a.shape);
    if (batch * n === 0) return this.store(out);
    const jitterBits = new Uint32Array(new Float32Array([jitter]).buffer)[0]!;
    const params = new Uint32Array([n, batch, jitterBits]);
    this.dispatch("cholesky", () => choleskySource(), [this.bound("cholesky", a), out], params, this.grid(batch));
    return this.store(out);
  }

  triangularSolve(l: TensorInfo, b: TensorInfo, transpose: boolean): Storage {
    const n = l.shape[l.shape.length - 1]!;
    const k = b.shape[b.shape.length - 1]!;
    const batch = sizeOf(l.shape.slice(0, -2));
    const out = this.allocate(batch * n * k, b.shape);
    const params = new Uint32Array([batch * k, n, k]);
    const buffers = [this.bound("triangularSolve", l), this.bound("triangularSolve", b), out];
    this.dispatch1d(`triangularSolve|${transpose}`, () => triangularSolveSource(transpose), buffers, params, batch * k);
    return this.store(out);
  }

  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): Storage {
    const kernel = reduceKernel(op, x.shape, axes, x.dtype);
    const out = this.allocate(kernel.outSize);
    if (kernel.outSize === 0) return this.store(out);
    const groups = kernel.perWorkgroup
      ? this.grid(kernel.outSize)
      : this.grid(Math.ceil(kernel.outSize / WORKGROUP_SIZE));
    this.dispatch(kernel.key, kernel.source, [this.bound("reduce", x), out], kernel.params, groups);
    return this.store(out);
  }

  argReduce(op: ArgReduceOp, x: TensorInfo, axis: number): Storage {
    const [outer, length, inner] = splitAroundAxis(x.shape, axis);
    const size = outer * inner;
    const out = this.allocate(size);
    const params = new Uint32Array([size, length, inner]);
    this.dispatch1d(`argReduce|${op}|${x.dtype}`, () => argReduceSource(op, x.dtype), [this.bound(op, x), out], params, size);
    return this.store(out);
  }

  softmax(x: TensorInfo, axis: number, log: boolean): Storage {
    const [outer, length, inner] = splitAroundAxis(x.shape, axis);
    const out = this.allocate(sizeOf(x.shape), x.shape);
    const rows = outer * inner;
    const params = new Uint32Array([rows, length, inner]);
    this.dispatch1d(`softmax|${log}`, () => softmaxSource(log), [this.bound("softmax", x), out], params, rows);
    return this.store(out);
  }

  // ---- indexing and layout ------------------------------------------------

  gather(x: TensorInfo, indices: TensorInfo, axis: number): Storage {
    const [outer, length, inner] = splitAroundAxis(x.shape, axis);
    const count = sizeOf(indices.shape);
    const size = outer * count * inner;
    const out = this.allocate(size);
    const params = new Uint32Array([size, count, length, inner]);
    this.dispatch1d(`gather|${x.dtype}`, () => gatherSource(x.dtype), [this.bound("gather", x), this.bound("gather", indices), out], params, size);
    return this.store(out);
  }

  scatterAdd(updates: TensorInfo, indices: TensorInfo, axis: number, outShape: Shape): Storage {
    const [, length, inner] = splitAroundAxis(outShape, axis);
    const size = sizeOf(outShape);
    const count = sizeOf(indices.shape);
    const out = this.allocate(size);
    const params = new Uint32Array([size, count, length, inner]);
    const buffers = [this.bound("scatterAdd", updates), this.bound("scatterAdd", indices), out];
    this.dispatch1d(`scatterAdd|${updates.dtype}`, () => scatterAddSource(updates.dtype), buffers, params, size);
    return this.store(out);
  }

  oneHot(indices: TensorInfo, depth: number, onValue: number, offValue: number): Storage {
    const size = sizeOf(indices.shape) * depth;
    const out = this.allocate(size);
    const bits = new Uint32Array(new Float32Array([onValue, offValue]).buffer);
    const params = new Uint32Array([size, depth, bits[0]!, bits[1]!]);
    this.dispatch1d("oneHot", () => oneHotSource(), [this.bound("oneHot", indices), out], params, size);
    return this.store(out);
  }

  transpose(x: TensorInfo, perm: readonly number[]): Storage {
    const inStrides = stridesOf(x.shape);
    const outShape = perm.map((axis) => x.shape[axis]!);
    return this.stridedCopy(x, 0, outShape, perm.map((axis) => inStrides[axis]!));
  }

  slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): Storage {
    const strides = stridesOf(x.shape);
    const base = begin.reduce((acc, b, axis) => acc + b * strides[axis]!, 0);
    return this.stridedCopy(x, base, size, strides);
  }

  concat(xs: readonly TensorInfo[], axis: number, outShape: Shape): Storage {
    const dtype = xs[0]!.dtype;
    const out = this.allocate(sizeOf(outShape), outShape);
    const [, outLength, inner] = splitAroundAxis(outShape, axis);
    let axisOffset = 0;
    for (const x of xs) {
      const size = sizeOf(x.shape);
      const chunk = x.shape[axis]! * inner;
      const params = new Uint32Array([size, chunk, outLength * inner, axisOffset * inner]);
      this.dispatch1d(`concat|${dtype}`, () => concatPartSource(dtype), [this.bound("concat", x), out], params, size);
      axisOffset += x.shape[axis]!;
    }
    return this.store(out);
  }

  private stridedCopy(x: TensorInfo, base: number, outShape: readonly number[], strides: readonly number[]): Storage {
    const size = sizeOf(outShape);
    const out = this.allocate(size);
    const params = new Uint32Array([size, base, ...outShape, ...strides]);
    const key = `stridedCopy|${x.dtype}|${outShape.length}`;
    this.dispatch1d(key, () => stridedCopySource(x.dtype, outShape.length), [this.bound("transpose or slice", x), out], params, size);
    return this.store(out);
  }

  // ---- convolution and pooling --------------------------------------------

  im2col(x: TensorInfo, window: Window2d): Storage {
    const rows = window.batch * window.outHeight * window.outWidth;
    const outShape = [rows, window.channels * window.kernelHeight * window.kernelWidth];
    return this.runWindow(`im2col|${x.dtype}`, () => im2colSource(x.dtype), [x], window, outShape);
  }

  col2im(cols: TensorInfo, window: Window2d): Storage {
    const outShape = [window.batch, window.channels, window.inHeight, window.inWidth];
    return this.runWindow(`col2im|${cols.dtype}`, () => col2imSource(cols.dtype), [cols], window, outShape);
  }

  maxPool2dIndices(x: TensorInfo, window: Window2d): Storage {
    const key = `maxPool2dIndices|${x.dtype}`;
    return this.runWindow(key, () => maxPool2dIndicesSource(x.dtype), [x], window, pooledShape(window));
  }

  gatherPool2d(x: TensorInfo, indices: TensorInfo, window: Window2d): Storage {
    const key = `gatherPool2d|${x.dtype}`;
    return this.runWindow(key, () => gatherPool2dSource(x.dtype), [x, indices], window, pooledShape(window));
  }

  maxUnpool2d(values: TensorInfo, indices: TensorInfo, window: Window2d): Storage {
    const key = `maxUnpool2d|${values.dtype}`;
    return this.runWindow(key, () => maxUnpool2dSource(values.dtype), [values, indices], window, unpooledShape(window));
  }

  avgPool2d(x: TensorInfo, window: Window2d, divide: boolean): Storage {
    const key = `avgPool2d|${x.dtype}`;
    return this.runWindow(key, () => avgPool2dSource(x.dtype), [x], window, pooledShape(window), divide);
  }

  avgUnpool2d(values: TensorInfo, window: Window2d, divide: boolean): Storage {
    const key = `avgUnpool2d|${values.dtype}`;
    return this.runWindow(key, () => avgUnpool2dSource(values.dtype), [values], window, unpooledShape(window), divide);
  }

  private runWindow(
    key: string,
    source: () => string,
    inputs: readonly TensorInfo[],
    window: Window2d,
    outShape: Shape,
    divide = false,
  ): Storage {
    const size = sizeOf(outShape);
    const out = this.allocate(size, outShape);
    this.dispatch1d(key, source, [...inputs.map(bufferOf), out], windowParams(size, window, divide), size);
    return this.store(out);
  }

  // ---- random ---------------------------------------------------------------

  random(distribution: RandomDistribution, key: RandomKey, size: number): Storage {
    const out = this.allocate(size);
    const params = new Uint32Array([size, key.lo >>> 0, key.hi >>> 0]);
    this.dispatch1d(`random|${distribution}`, () => randomSource(distribution), [out], params, size);
    return this.store(out);
  }

  // ---- buffers, pipelines and dispatch --------------------------------------

  private store(buffer: GPUBuffer): WebGpuStorage {
    return { backend: "webgpu", buffer };
  }

  /**
   * Take a pooled buffer for `size` elements, or throw an error naming the
   * device limit it would exceed and `shape`, which defaults to `[size]`
   * where a kernel does not pass the output shape. A buffer that a kernel
   * binds whole (`bindable`) must also fit `maxStorageBufferBindingSize`.
   */
  private allocate(size: number, shape: Shape = [size], bindable = true): GPUBuffer {
    this.throwIfFailed();
    const bytes = BufferPool.roundSize(size * BYTES_PER_ELEMENT);
    const limits = bindable ? (["maxStorageBufferBindingSize", "maxBufferSize"] as const) : (["maxBufferSize"] as const);
    for (const limit of limits) {
      if (bytes > this.limits[limit]) {
        throw new BackendError(
          `webgpu: a tensor of shape ${formatShape(shape)} (${size} elements, ${bytes} bytes) exceeds the device's ${limit} ` +
            `of ${this.limits[limit]} bytes. Split the tensor or run this op on the cpu backend.`,
        );
      }
    }
    return this.pool.acquire(bytes);
  }

  private checkWorkgroups(count: number, opName: string, shape: Shape): void {
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (count > max) {
      throw new BackendError(
        `webgpu: ${opName} with output shape [${shape.join(", ")}] needs ${count} workgroups along one ` +
          `dispatch axis, more than the device's maxComputeWorkgroupsPerDimension of ${max}.`,
      );
    }
  }

  /** Lay out `workgroups` workgroups as a 2D grid whose x extent stays within the per-dimension limit. */
  private grid(workgroups: number): [number, number, number] {
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    const x = Math.min(workgroups, max);
    const y = Math.ceil(workgroups / x);
    if (y > max) {
      throw new BackendError(
        `webgpu: ${workgroups} workgroups exceed maxComputeWorkgroupsPerDimension² (${max}²).`,
      );
    }
    return [x, y, 1];
  }

  private dispatch1d(
    key: string,
    source: () => string,
    buffers: readonly (GPUBuffer | GPUBufferBinding)[],
    params: Uint32Array,
    threads: number,
  ): void {
    if (threads === 0) return;
    this.dispatch(key, source, buffers, params, this.grid(Math.ceil(threads / WORKGROUP_SIZE)));
  }

  /**
   * Record one compute pass: `params` at binding 0, then `buffers` at
   * bindings 1, 2, .... A bare buffer is bound whole.
   */
  private dispatch(
    key: string,
    source: () => string,
    buffers: readonly (GPUBuffer | GPUBufferBinding)[],
    params: Uint32Array,
    groups: readonly [number, number, number],
  ): void {
    const pipeline = this.pipeline(key, source);
    const paramsBuffer = this.pool.acquire(params.byteLength);
    this.device.queue.writeBuffer(paramsBuffer, 0, params.buffer, params.byteOffset, params.byteLength);
    const entries: GPUBindGroupEntry[] = [paramsBuffer, ...buffers].map((buffer, binding) => ({
      binding,
      resource: "buffer" in buffer ? buffer : { buffer },
    }));
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });

    const pass = this.commandEncoder().beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(groups[0], groups[1], groups[2]);
    pass.end();
    this.pendingRelease.push(paramsBuffer);

    this.passes++;
    if (this.passes >= MAX_PASSES_PER_SUBMIT) this.flush();
  }

  private pipeline(key: string, source: () => string): GPUComputePipeline {
    let pipeline = this.pipelines.get(key);
    if (pipeline === undefined) {
      const module = this.device.createShaderModule({ code: source(), label: key });
      pipeline = this.device.createComputePipeline({
        layout: "auto",
        compute: { module, entryPoint: "main" },
        label: key,
      });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  private commandEncoder(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  /** Submit the recorded passes, then return the buffers released meanwhile to the pool. */
  private flush(): void {
    if (this.encoder !== undefined) {
      this.device.queue.submit([this.encoder.finish()]);
      this.encoder = undefined;
      this.passes = 0;
    }
    this.recyclePending();
  }

  private recyclePending(): void {
    for (const buffer of this.pendingRelease) this.pool.release(buffer);
    this.pendingRelease = [];
  }

  private throwIfFailed(): void {
    if (this.disposed) throw new BackendError("webgpu: the backend was disposed; create it again with setBackend.");
    if (this.deviceError !== undefined) throw this.deviceError;
  }
}
