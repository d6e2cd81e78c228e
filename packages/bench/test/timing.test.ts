import { describe, expect, test } from "vitest";
import { measure, measureInterleaved, median, type Timed } from "../src/index.js";

/** Build a workload that records the iteration count of every call and does no work. */
function recorder(): Timed & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    run: async (iterations) => {
      calls.push(iterations);
    },
  };
}

describe("median", () => {
  test.each([
    [[3], 3],
    [[5, 1, 3], 3],
    [[4, 1, 3, 2], 2.5],
  ])("of %j is %d", (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  test("rejects an empty list", () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe("measure", () => {
  test("runs warm-ups, then timed repeats", async () => {
    const workload = recorder();
    const timing = await measure(workload, { warmup: 2, repeats: 3, minRepeatMs: 0 });
    expect(workload.calls).toEqual([1, 1, 1, 1, 1]);
    expect(timing.iterations).toBe(1);
    expect(timing.samplesMs).toHaveLength(3);
  });

  test("reports the median of the samples", async () => {
    const timing = await measure(recorder(), { warmup: 1, repeats: 5, minRepeatMs: 0 });
    expect(timing.medianMs).toBe(median(timing.samplesMs));
  });

  test("batches iterations to fill the minimum repeat time", async () => {
    const workload = recorder();
    const timing = await measure(workload, { warmup: 1, repeats: 2, minRepeatMs: 600_000 });
    // A workload that does nothing takes far less than 10 minutes / 1000, so the count reaches its cap.
    expect(timing.iterations).toBe(1000);
    expect(workload.calls).toEqual([1, 1000, 1000]);
  });
});

describe("measureInterleaved", () => {
  test("alternates the repeats of the workloads", async () => {
    const log: string[] = [];
    const named = (name: string): Timed => ({
      run: async (iterations) => {
        log.push(`${name}×${iterations}`);
      },
    });

    const timings = await measureInterleaved([named("a"), named("b")], { warmup: 1, repeats: 2, minRepeatMs: 0 });

    expect(log).toEqual(["a×1", "b×1", "a×1", "b×1", "a×1", "b×1"]);
    expect(timings).toHaveLength(2);
    expect(timings[1]!.samplesMs).toHaveLength(2);
  });
});
