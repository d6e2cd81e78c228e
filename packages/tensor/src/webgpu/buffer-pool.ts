/**
 * A pool of storage buffers keyed by byte size. Training repeats the same
 * shapes every step, so a released buffer is almost always requested again
 * with the same size, and reusing it avoids a device allocation per op.
 *
 * The caller must return a buffer only after the commands that use it have
 * been submitted. `queue.writeBuffer` runs before any later submit, so a
 * buffer handed out again too early could be overwritten before an earlier,
 * still unsubmitted dispatch reads it. The backend enforces this by holding
 * released buffers until its next submit.
 */
/// <reference types="@webgpu/types" />

/** Usage of every pooled buffer: bound as storage, copied to and from. */
const POOLED_USAGE = 0x80 /* STORAGE */ | 0x4 /* COPY_SRC */ | 0x8; /* COPY_DST */

/** Bytes of buffers in use and allocated (in use plus free in the pool). */
export interface PoolStats {
  readonly bytesInUse: number;
  readonly bytesAllocated: number;
  readonly buffersInUse: number;
  readonly buffersAllocated: number;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private bytesInUse = 0;
  private bytesAllocated = 0;
  private buffersInUse = 0;
  private buffersAllocated = 0;

  constructor(private readonly device: GPUDevice) {}

  /** Take a buffer of at least `bytes` bytes (rounded up to a multiple of 16, at least 16) from the pool or the device. */
  acquire(bytes: number): GPUBuffer {
    const size = BufferPool.roundSize(bytes);
    this.bytesInUse += size;
    this.buffersInUse++;
    const reused = this.free.get(size)?.pop();
    if (reused !== undefined) return reused;

    this.bytesAllocated += size;
    this.buffersAllocated++;
    return this.device.createBuffer({ size, usage: POOLED_USAGE });
  }

  /** Put `buffer` back for reuse. Its commands must already be submitted. */
  release(buffer: GPUBuffer): void {
    const size = buffer.size;
    this.bytesInUse -= size;
    this.buffersInUse--;
    let list = this.free.get(size);
    if (list === undefined) {
      list = [];
      this.free.set(size, list);
    }
    list.push(buffer);
  }

  stats(): PoolStats {
    return {
      bytesInUse: this.bytesInUse,
      bytesAllocated: this.bytesAllocated,
      buffersInUse: this.buffersInUse,
      buffersAllocated: this.buffersAllocated,
    };
  }

  /** Destroy every free buffer. Buffers still in use stay valid. */
  clear(): void {
    for (const list of this.free.values()) {
      for (const buffer of list) {
        this.bytesAllocated -= buffer.size;
        this.buffersAllocated--;
        buffer.destroy();
      }
    }
    this.free.clear();
  }

  static roundSize(bytes: number): number {
    return Math.max(16, Math.ceil(bytes / 16) * 16);
  }
}
