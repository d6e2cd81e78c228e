/**
 * `SharedBatchBuffer`: a bounded buffer of batches in shared memory, written
 * by one thread and read by another, for asynchronous decoupled greedy
 * learning. The main thread fills one with the data; each module fills one
 * with its outputs for the next module.
 *
 * Two bounds keep the threads in step:
 * - the producer waits while it is `capacity` items ahead of the reads;
 * - read number i waits until item i has been written, so every thread takes
 *   one step per batch of data.
 *
 * Read i returns item i in "fifo" mode. In "replay" mode it returns an item
 * drawn uniformly from the `capacity` newest ones (the replay buffer of
 * Belilovsky, Eickenberg and Oyallon, ICML 2020), so an item may be read
 * twice or never. Each item records how many optimizer steps its producer had
 * taken when it computed the item. The staleness of a read is the number of
 * steps the producer has taken since.
 *
 * The layout is plain `SharedArrayBuffer`s, so the buffer crosses to a worker
 * through `postMessage` and is rebuilt there with `SharedBatchBuffer.attach`.
 */
import { waitAsync } from "./protocol.js";

/** Slots of the int32 control block. */
const LOCK = 0;
const PRODUCED = 1;
const CONSUMED = 2;
const PRODUCER_STEPS = 3;
const CLOSED = 4;
const CONTROL_SIZE = 5;
/** Per-slot metadata: item number, rows, producer steps when computed. */
const META = 3;

/** Milliseconds of one wait before a waiting thread checks for closing again. */
const WAIT_SLICE_MS = 50;

export type ReadMode = "fifo" | "replay";

/** The sizes of a buffer. `features` is the number of floats of one sample. */
export interface BufferLayout {
  readonly capacity: number;
  readonly maxRows: number;
  readonly features: number;
}

/** Layout and shared memory of a buffer, the part sent to a worker. */
export interface SharedBufferHandle {
  readonly layout: BufferLayout;
  readonly control: SharedArrayBuffer;
  readonly data: SharedArrayBuffer;
  readonly labels: SharedArrayBuffer;
}

/** One item read from the buffer. */
export interface BufferItem {
  /** `rows × features` floats, copied out of shared memory. */
  readonly x: Float32Array;
  /** `rows` class labels. */
  readonly y: Int32Array;
  readonly rows: number;
  /** Number of the item, from 0, in the order written. */
  readonly item: number;
  /** Producer optimizer steps between computing the item and this read. */
  readonly staleness: number;
}

/** Thrown by a wait when the buffer was closed, so the waiting thread stops. */
export class BufferClosedError extends Error {
  constructor() {
    super("The shared batch buffer was closed.");
    this.name = "BufferClosedError";
  }
}

export class SharedBatchBuffer {
  private readonly control: Int32Array;
  private readonly data: Float32Array;
  private readonly labels: Int32Array;

  private constructor(readonly handle: SharedBufferHandle) {
    const { capacity } = handle.layout;
    this.control = new Int32Array(handle.control);
    this.data = new Float32Array(handle.data);
    this.labels = new Int32Array(handle.labels);
    if (this.control.length !== CONTROL_SIZE + capacity * META) {
      throw new RangeError(`SharedBatchBuffer: the control block does not match a capacity of ${capacity}.`);
    }
  }

  /** Allocate a buffer of `layout`. */
  static create(layout: BufferLayout): SharedBatchBuffer {
    for (const [name, value] of Object.entries(layout)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`SharedBatchBuffer: ${name} ${value} is invalid; it must be a positive integer.`);
      }
    }
    const { capacity, maxRows, features } = layout;
    return new SharedBatchBuffer({
      layout: { capacity, maxRows, features },
      control: new SharedArrayBuffer(4 * (CONTROL_SIZE + capacity * META)),
      data: new SharedArrayBuffer(4 * capacity * maxRows * features),
      labels: new SharedArrayBuffer(4 * capacity * maxRows),
    });
  }

  /** Rebuild a buffer from a handle received from another thread. */
  static attach(handle: SharedBufferHandle): SharedBatchBuffer {
    return new SharedBatchBuffer(handle);
  }

  get layout(): BufferLayout {
    return this.handle.layout;
  }

  /** Items written so far. */
  get produced(): number {
    return Atomics.load(this.control, PRODUCED);
  }

  /** Reads done so far. */
  get consumed(): number {
    return Atomics.load(this.control, CONSUMED);
  }

  get closed(): boolean {
    return Atomics.load(this.control, CLOSED) === 1;
  }

  /** Wake every waiting thread and make its wait throw `BufferClosedError`. */
  close(): void {
    Atomics.store(this.control, CLOSED, 1);
    Atomics.notify(this.control, PRODUCED);
    Atomics.notify(this.control, CONSUMED);
  }

  /** Record that the producer has taken `steps` optimizer steps. */
  setProducerSteps(steps: number): void {
    Atomics.store(this.control, PRODUCER_STEPS, steps);
  }

  /** True when a write would not wait. */
  canWrite(): boolean {
    return this.produced - this.consumed < this.layout.capacity;
  }

  /** True when read number `index` would not wait. */
  canRead(index: number): boolean {
    return this.produced > index;
  }

  /**
   * Block this thread until a write would not wait, or until `timeoutMs` has
   * passed; return whether it can write. For the main thread of Node.js and
   * for workers (browsers forbid blocking their main thread).
   */
  waitWritableSync(timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    while (!this.canWrite()) {
      if (this.closed) throw new BufferClosedError();
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.control, CONSUMED, Atomics.load(this.control, CONSUMED), Math.min(left, WAIT_SLICE_MS));
    }
    return true;
  }

  /** Wait, without blocking the event loop, until a write would not wait. */
  async waitWritable(): Promise<void> {
    while (!this.canWrite()) await this.waitChange(CONSUMED);
  }

  /** Wait, without blocking the event loop, until read number `index` would not wait. */
  async waitReadable(index: number): Promise<void> {
    while (!this.canRead(index)) await this.waitChange(PRODUCED);
  }

  private async waitChange(slot: number): Promise<void> {
    if (this.closed) throw new BufferClosedError();
    const seen = Atomics.load(this.control, slot);
    const result = waitAsync(this.control, slot, seen, WAIT_SLICE_MS);
    if (result.async) await result.value;
  }

  /**
   * Write the next item: `rows` samples of `x` (row-major, `features` floats
   * each) with labels `y`, computed after `producerSteps` optimizer steps.
   * Call only when `canWrite()`.
   */
  write(x: Float32Array, y: Int32Array, rows: number, producerSteps: number): void {
    const { capacity, maxRows, features } = this.layout;
    if (!this.canWrite()) throw new Error("SharedBatchBuffer.write: the buffer is full; wait until canWrite().");
    if (rows < 1 || rows > maxRows || x.length !== rows * features || y.length !== rows) {
      throw new RangeError(
        `SharedBatchBuffer.write: got ${x.length} floats and ${y.length} labels for ${rows} rows; ` +
          `the buffer holds up to ${maxRows} rows of ${features} floats.`,
      );
    }
    const item = this.produced;
    const slot = item % capacity;
    this.lock();
    try {
      this.data.set(x, slot * maxRows * features);
      this.labels.set(y, slot * maxRows);
      const meta = CONTROL_SIZE + slot * META;
      this.control[meta] = item;
      this.control[meta + 1] = rows;
      this.control[meta + 2] = producerSteps;
      // Count the item before unlocking. A replay read that saw the old count
      // could otherwise draw the item this write has just overwritten.
      Atomics.add(this.control, PRODUCED, 1);
    } finally {
      this.unlock();
    }
    Atomics.notify(this.control, PRODUCED);
  }

  /**
   * Read number `index`: item `index` in "fifo" mode, or an item drawn with
   * `random()` from the newest `capacity` in "replay" mode. Call only when
   * `canRead(index)`, and with `index` equal to the reads done so far.
   */
  read(index: number, mode: ReadMode, random: () => number): BufferItem {
    const { capacity, maxRows, features } = this.layout;
    if (!this.canRead(index)) throw new Error(`SharedBatchBuffer.read: item ${index} is not written yet; wait until canRead(${index}).`);
    this.lock();
    let result: BufferItem;
    try {
      const produced = this.produced;
      const oldest = Math.max(0, produced - capacity);
      const item = mode === "fifo" ? index : oldest + Math.min(produced - oldest - 1, Math.floor(random() * (produced - oldest)));
      const slot = item % capacity;
      const meta = CONTROL_SIZE + slot * META;
      if (this.control[meta] !== item) {
        throw new Error(`SharedBatchBuffer.read: slot ${slot} contains item ${this.control[meta]}, not ${item}.`);
      }
      const rows = this.control[meta + 1]!;
      const start = slot * maxRows;
      result = {
        x: this.data.slice(start * features, (start + rows) * features),
        y: this.labels.slice(start, start + rows),
        rows,
        item,
        staleness: Atomics.load(this.control, PRODUCER_STEPS) - this.control[meta + 2]!,
      };
    } finally {
      this.unlock();
    }
    Atomics.add(this.control, CONSUMED, 1);
    Atomics.notify(this.control, CONSUMED);
    return result;
  }

  /** Take the lock. It guards one copy in or out of a slot, so a short blocking wait suffices. */
  private lock(): void {
    while (Atomics.compareExchange(this.control, LOCK, 0, 1) !== 0) {
      Atomics.wait(this.control, LOCK, 1, 1);
    }
  }

  private unlock(): void {
    Atomics.store(this.control, LOCK, 0);
    Atomics.notify(this.control, LOCK, 1);
  }
}
