/**
 * Conformance: explicit memory. `dispose`, `tidy` and `keep`, and the live
 * tensor and byte counters of `memory()`, which count a storage shared by
 * `reshape` once.
 */
import { expect } from "vitest";
import {
  add,
  DisposedTensorError,
  exp,
  keep,
  memory,
  mul,
  peakMemory,
  reshape,
  resetPeakMemory,
  type Tensor,
  tensor,
  tidy,
  zeros,
} from "../src/index.js";
import "@modular/testing";
import { describeConformance } from "./conformance.js";

/** Change of the live counters while `fn` runs. */
function memoryDelta(fn: () => void): { tensors: number; bytes: number } {
  const before = memory();
  fn();
  const after = memory();
  return { tensors: after.tensors - before.tensors, bytes: after.bytes - before.bytes };
}

describeConformance("memory", (test) => {
  test("a new tensor is counted with its bytes", () => {
    const delta = memoryDelta(() => {
      zeros([2, 3]);
    });

    expect(delta).toEqual({ tensors: 1, bytes: 24 });
  });

  test("dispose releases the tensor", () => {
    const x = zeros([4]);
    const delta = memoryDelta(() => x.dispose());

    expect(x.isDisposed).toBe(true);
    expect(delta).toEqual({ tensors: -1, bytes: -16 });
  });

  test("double dispose is harmless", () => {
    const x = zeros([4]);
    x.dispose();
    const delta = memoryDelta(() => x.dispose());

    expect(delta).toEqual({ tensors: 0, bytes: 0 });
  });

  test("use after dispose is rejected", async () => {
    const x = tensor([1, 2]);
    x.dispose();

    expect(() => add(x, 1)).toThrow(DisposedTensorError);
    expect(() => add(x, 1)).toThrow(/Tensor #\d+ \[2\] float32 was used after dispose\(\)/);
    await expect(x.data()).rejects.toThrow(DisposedTensorError);
  });

  test("tidy disposes intermediates and keeps the result", async () => {
    let intermediate: Tensor | undefined;
    const before = memory();
    const result = tidy(() => {
      intermediate = exp(tensor([0, 1]));
      return mul(intermediate, 2);
    });

    expect(intermediate?.isDisposed).toBe(true);
    expect(result.isDisposed).toBe(false);
    expect(await result.data()).toBeAllClose([2, 2 * Math.E]);
    expect(memory().tensors - before.tensors).toBe(1);
  });

  test("tidy keeps tensors inside returned arrays and objects", () => {
    const { pair, named } = tidy(() => {
      const x = tensor([1]);
      return { pair: [add(x, 1), add(x, 2)], named: { y: add(x, 3) } };
    });

    expect(pair.map((t) => t.isDisposed)).toEqual([false, false]);
    expect(named.y.isDisposed).toBe(false);
  });

  test("tidy leaves tensors created outside alone", () => {
    const outside = tensor([1, 2]);
    tidy(() => add(outside, 1));

    expect(outside.isDisposed).toBe(false);
  });

  test("tidy returns the counters to their start", () => {
    const delta = memoryDelta(() => {
      tidy(() => {
        const x = tensor([[1, 2], [3, 4]]);
        reshape(x, [4]);
        mul(exp(x), 3);
      });
    });

    expect(delta).toEqual({ tensors: 0, bytes: 0 });
  });

  test("nested tidy hands its result to the outer scope", () => {
    let inner: Tensor | undefined;
    const delta = memoryDelta(() => {
      tidy(() => {
        inner = tidy(() => add(tensor([1]), 1));
        expect(inner.isDisposed).toBe(false);
      });
    });

    expect(inner?.isDisposed).toBe(true);
    expect(delta).toEqual({ tensors: 0, bytes: 0 });
  });

  test("nested tidy result survives when returned again", () => {
    const result = tidy(() => tidy(() => add(tensor([1]), 1)));

    expect(result.isDisposed).toBe(false);
  });

  test("keep exempts a tensor from every scope", () => {
    let kept: Tensor | undefined;
    tidy(() => {
      tidy(() => {
        kept = keep(add(tensor([1]), 1));
      });
    });

    expect(kept?.isDisposed).toBe(false);
    kept?.dispose();
  });

  test("reshape shares storage with its input", async () => {
    const x = tensor([1, 2, 3, 4, 5, 6]);
    const y = reshape(x, [2, 3]);
    x.dispose();

    expect(y.isDisposed).toBe(false);
    expect(await y.array()).toBeAllClose([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  test("shared storage counts its bytes once", () => {
    const x = zeros([2, 3]);
    let y: Tensor | undefined;
    const onReshape = memoryDelta(() => {
      y = reshape(x, [3, 2]);
    });
    const onFirstDispose = memoryDelta(() => x.dispose());
    const onLastDispose = memoryDelta(() => y?.dispose());

    expect(onReshape).toEqual({ tensors: 1, bytes: 0 });
    expect(onFirstDispose).toEqual({ tensors: -1, bytes: 0 });
    expect(onLastDispose).toEqual({ tensors: -1, bytes: -24 });
  });

  test("the peak holds the most bytes live at once since the last reset", () => {
    resetPeakMemory();
    const base = memory().bytes;
    const a = zeros([4, 4]);
    const b = zeros([2, 4]);
    a.dispose();
    b.dispose();
    const c = zeros([2, 2]);

    expect(peakMemory() - base).toBe(64 + 32);
    expect(resetPeakMemory() - base).toBe(96);
    expect(peakMemory() - base).toBe(16);
    c.dispose();
  });
});
