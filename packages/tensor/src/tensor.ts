/**
 * `Tensor`: an immutable n-dimensional array whose storage belongs to one
 * backend. Ops never modify a tensor; they return new ones. Storage is freed
 * by `dispose()` or by the enclosing `tidy` scope.
 */
import type { Backend, Storage, TensorInfo } from "./backend.js";
import { BYTES_PER_ELEMENT, type DType, type TypedArray } from "./dtype.js";
import { nextTensorId, trackTensor, untrackTensor } from "./engine.js";
import { BackendError, DisposedTensorError } from "./errors.js";
import { formatShape, type Shape, sizeOf } from "./shape.js";

/**
 * Number of live tensors sharing each storage. `reshape` returns a tensor
 * that shares its input's storage, so storage is released with its last holder.
 */
const storageHolders = new WeakMap<Storage, number>();

/** Nested arrays of numbers, as returned by `array()`. */
export type NestedArray = number | NestedArray[];

export class Tensor implements TensorInfo {
  readonly isTensor = true;
  readonly id: number;
  readonly shape: Shape;
  readonly size: number;
  private storageRef: Storage | undefined;

  constructor(
    storage: Storage,
    shape: Shape,
    readonly dtype: DType,
    readonly backend: Backend,
  ) {
    this.id = nextTensorId();
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    this.storageRef = storage;
    const holders = storageHolders.get(storage) ?? 0;
    storageHolders.set(storage, holders + 1);
    // Bytes are counted once per storage, so a reshape shares without adding bytes.
    trackTensor(this, holders === 0 ? this.size * BYTES_PER_ELEMENT : 0);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.storageRef === undefined;
  }

  /** The backend storage; throws if the tensor was disposed. */
  get storage(): Storage {
    if (this.storageRef === undefined) {
      throw new DisposedTensorError(
        `Tensor #${this.id} ${formatShape(this.shape)} ${this.dtype} was used after dispose(). ` +
          `Keep it alive with keep() or return it from the enclosing tidy().`,
      );
    }
    return this.storageRef;
  }

  /** Read a copy of the elements back asynchronously (row-major). */
  async data(): Promise<TypedArray> {
    return this.backend.read(this.storage, this.dtype, this.size);
  }

  /** Read a copy of the elements synchronously. Only backends with a sync read (such as `cpu`) support it. */
  dataSync(): TypedArray {
    const readSync = this.backend.readSync;
    if (readSync === undefined) {
      throw new BackendError(
        `dataSync() is not available on the "${this.backend.name}" backend; use await tensor.data().`,
      );
    }
    return readSync.call(this.backend, this.storage, this.dtype, this.size);
  }

  /** Read the elements back asynchronously as nested arrays. */
  async array(): Promise<NestedArray> {
    return nest(await this.data(), this.shape);
  }

  /** Read the elements synchronously as nested arrays (see `dataSync`). */
  arraySync(): NestedArray {
    return nest(this.dataSync(), this.shape);
  }

  /** Read the single element of a size-1 tensor synchronously. */
  item(): number {
    if (this.size !== 1) {
      throw new BackendError(
        `item() needs a tensor with one element, but this one has shape ${formatShape(this.shape)}.`,
      );
    }
    return this.dataSync()[0]!;
  }

  /** Free the storage. Calling it twice is harmless. */
  dispose(): void {
    const storage = this.storageRef;
    if (storage === undefined) return;
    this.storageRef = undefined;
    const holders = (storageHolders.get(storage) ?? 1) - 1;
    if (holders > 0) {
      storageHolders.set(storage, holders);
      untrackTensor(this, 0);
      return;
    }
    storageHolders.delete(storage);
    this.backend.release(storage);
    untrackTensor(this, this.size * BYTES_PER_ELEMENT);
  }

  toString(): string {
    return `Tensor(${formatShape(this.shape)}, ${this.dtype}, ${this.backend.name})`;
  }
}

function nest(values: TypedArray, shape: Shape): NestedArray {
  if (shape.length === 0) return values[0]!;
  let offset = 0;
  const build = (axis: number): NestedArray[] => {
    const out: NestedArray[] = [];
    for (let i = 0; i < shape[axis]!; i++) {
      if (axis === shape.length - 1) out.push(values[offset++]!);
      else out.push(build(axis + 1));
    }
    return out;
  };
  return build(0);
}
