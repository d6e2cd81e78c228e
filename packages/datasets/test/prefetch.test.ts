/** Prefetched batches: the same batches as `batches()`, with the next one prepared ahead. */
import { memory } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { Dataset, prefetch, prefetchBatches } from "../src/index.js";

const SOURCE = new Dataset({
  name: "ten",
  images: Float32Array.from({ length: 20 }, (_, i) => i),
  labels: Int32Array.from({ length: 10 }, (_, i) => i % 3),
  sampleShape: [2],
  classes: 3,
});

/** Wait for one macrotask, as a consumer awaiting a device readback does. */
const macrotask = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("prefetch", () => {
  test("yields the batches of batches() in order", async () => {
    const options = { batchSize: 4, seed: 2, epoch: 3 };
    const expected = [...SOURCE.batches(options)].map((batch) => [batch.x.arraySync(), batch.y.arraySync()]);
    const seen: unknown[] = [];
    for await (const batch of prefetchBatches(SOURCE, options)) {
      seen.push([batch.x.arraySync(), batch.y.arraySync()]);
      batch.x.dispose();
      batch.y.dispose();
    }

    expect(seen).toEqual(expected);
  });

  test("prepares item i+1 while the consumer works on item i", async () => {
    const prepared: number[] = [];
    function* items() {
      for (let i = 0; i < 3; i++) {
        prepared.push(i);
        yield i;
      }
    }
    // Items prepared by the time the consumer, working on item i, has waited up to 10 macrotasks.
    const preparedWhileWorking: number[] = [];
    for await (const item of prefetch(items())) {
      for (let wait = 0; wait < 10 && prepared.length < Math.min(item + 2, 3); wait++) await macrotask();
      preparedWhileWorking.push(prepared.length);
    }

    // Without prefetching, only items 0..i would be prepared: [1, 2, 3].
    expect(preparedWhileWorking).toEqual([2, 3, 3]);
  });

  test("disposes the batch prepared ahead on an early stop", async () => {
    const before = memory().tensors;
    for await (const batch of prefetchBatches(SOURCE, { batchSize: 2 })) {
      batch.x.dispose();
      batch.y.dispose();
      await macrotask();
      break;
    }

    expect(memory().tensors).toBe(before);
  });

  test("passes source errors to the consumer", async () => {
    function* failing() {
      yield 1;
      throw new Error("read failed");
    }
    const run = async () => {
      for await (const _ of prefetch(failing())) await macrotask();
    };

    await expect(run()).rejects.toThrow("read failed");
  });

  test("checks options at the call", () => {
    expect(() => prefetchBatches(SOURCE, { batchSize: 0 })).toThrow(/batchSize 0 is invalid/);
  });
});
