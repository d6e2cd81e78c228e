/**
 * `SharedBatchBuffer` on one thread: the order of reads, the bounds that keep
 * producer and consumer in step, replay draws, staleness and closing.
 */
import { describe, expect, test } from "vitest";
import { BufferClosedError, SharedBatchBuffer } from "../src/async/buffer.js";

const LAYOUT = { capacity: 3, maxRows: 2, features: 2 };

/** Write item `n`: rows [n, n] and [n, n], labels [n, n]. */
function writeItem(buffer: SharedBatchBuffer, n: number, producerSteps = 0): void {
  buffer.write(Float32Array.of(n, n, n, n), Int32Array.of(n, n), 2, producerSteps);
}

describe("SharedBatchBuffer", () => {
  test("fifo reads return the items in the order written", () => {
    const buffer = SharedBatchBuffer.create(LAYOUT);
    for (let n = 0; n < 3; n++) writeItem(buffer, n);
    for (let n = 0; n < 3; n++) {
      const item = buffer.read(n, "fifo", Math.random);
      expect(item.item).toBe(n);
      expect([...item.x]).toEqual([n, n, n, n]);
      expect([...item.y]).toEqual([n, n]);
      writeItem(buffer, n + 3);
    }
    expect(buffer.read(3, "fifo", Math.random).item).toBe(3);
  });

  test("the producer stops at capacity items ahead of the reads", () => {
    const buffer = SharedBatchBuffer.create(LAYOUT);
    for (let n = 0; n < 3; n++) writeItem(buffer, n);
    expect(buffer.canWrite()).toBe(false);
    expect(() => writeItem(buffer, 3)).toThrow(/full/);
    expect(buffer.waitWritableSync(5)).toBe(false);
    buffer.read(0, "fifo", Math.random);
    expect(buffer.canWrite()).toBe(true);
  });

  test("read i waits until item i is written", () => {
    const buffer = SharedBatchBuffer.create(LAYOUT);
    expect(buffer.canRead(0)).toBe(false);
    expect(() => buffer.read(0, "fifo", Math.random)).toThrow(/not written yet/);
    writeItem(buffer, 0);
    expect(buffer.canRead(0)).toBe(true);
    expect(buffer.canRead(1)).toBe(false);
  });

  test("replay draws only among the newest capacity items", () => {
    const buffer = SharedBatchBuffer.create(LAYOUT);
    const seen = new Set<number>();
    for (let n = 0; n < 3; n++) writeItem(buffer, n);
    // Draws at the bottom and the top of [0, 1) pick the oldest and the newest item held.
    expect(buffer.read(0, "replay", () => 0).item).toBe(0);
    writeItem(buffer, 3);
    expect(buffer.read(1, "replay", () => 0).item).toBe(1);
    writeItem(buffer, 4);
    expect(buffer.read(2, "replay", () => 0.9999).item).toBe(4);
    for (let i = 3; i < 30; i++) {
      writeItem(buffer, i + 2);
      const item = buffer.read(i, "replay", Math.random);
      // Items i + 2 − 2 … i + 2 are held after writing item i + 2.
      expect(item.item).toBeGreaterThanOrEqual(i);
      expect(item.item).toBeLessThanOrEqual(i + 2);
      expect([...item.y]).toEqual([item.item, item.item]);
      seen.add(item.item);
    }
    expect(seen.size).toBeGreaterThan(5);
  });

  test("staleness counts the producer's steps since the item was computed", () => {
    const buffer = SharedBatchBuffer.create(LAYOUT);
    writeItem(buffer, 0, 7);
    buffer.setProducerSteps(10);
    expect(buffer.read(0, "fifo", Math.random).staleness).toBe(3);
  });

  test("a short last batch keeps its rows", () => {
    const buffer = SharedBatchBuffer.create(LAYOUT);
    buffer.write(Float32Array.of(5, 6), Int32Array.of(9), 1, 0);
    const item = buffer.read(0, "fifo", Math.random);
    expect(item.rows).toBe(1);
    expect([...item.x]).toEqual([5, 6]);
    expect([...item.y]).toEqual([9]);
  });

  test("writes of the wrong size name the sizes", () => {
    const buffer = SharedBatchBuffer.create(LAYOUT);
    expect(() => buffer.write(new Float32Array(6), new Int32Array(3), 3, 0)).toThrow(
      "SharedBatchBuffer.write: got 6 floats and 3 labels for 3 rows; the buffer holds up to 2 rows of 2 floats.",
    );
    expect(() => SharedBatchBuffer.create({ ...LAYOUT, capacity: 0 })).toThrow(/capacity 0 is invalid/);
  });

  test("closing makes waits throw", async () => {
    const buffer = SharedBatchBuffer.create(LAYOUT);
    const waiting = buffer.waitReadable(0);
    for (let n = 0; n < 3; n++) writeItem(buffer, n);
    buffer.close();
    await expect(waiting).resolves.toBeUndefined();
    await expect(buffer.waitReadable(3)).rejects.toBeInstanceOf(BufferClosedError);
    expect(() => buffer.waitWritableSync(10)).toThrow(BufferClosedError);
  });

  test("a buffer attached from its handle shares the memory", () => {
    const buffer = SharedBatchBuffer.create(LAYOUT);
    const other = SharedBatchBuffer.attach(buffer.handle);
    writeItem(buffer, 4);
    expect(other.read(0, "fifo", Math.random).item).toBe(0);
    expect(buffer.consumed).toBe(1);
  });
});
