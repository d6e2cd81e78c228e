/** Tape semantics: what a tape records, and what `gradient` returns or rejects. */
import {
  add,
  emitOp,
  exp,
  matmul,
  mul,
  neg,
  ones,
  sum,
  type Tensor,
  tensor,
  withoutRecording,
} from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { GradientError, Tape } from "../src/index.js";
import "@modular/testing";
import { fixture } from "./backends.js";

describe("recording", () => {
  test("records ops on watched tensors", () => {
    const x = tensor([1, 2]);
    const tape = new Tape().watch(x);
    tape.record(() => mul(exp(x), 2));

    expect(tape.size).toBe(2);
  });

  test("ignores ops on unwatched tensors", () => {
    const x = tensor([1, 2]);
    const unwatched = tensor([3, 4]);
    const tape = new Tape().watch(x);
    tape.record(() => exp(unwatched));

    expect(tape.size).toBe(0);
  });

  test("tracks tensors computed from watched ones", () => {
    const x = tensor([1, 2]);
    const constant = tensor([3, 4]);
    const tape = new Tape().watch(x);
    const [fromX, fromConstant] = tape.record(() => [add(x, constant), neg(constant)]);

    expect(tape.isTracked(x)).toBe(true);
    expect(tape.isTracked(fromX!)).toBe(true);
    expect(tape.isTracked(constant)).toBe(false);
    expect(tape.isTracked(fromConstant!)).toBe(false);
  });

  test("records nothing outside record", () => {
    const x = tensor([1, 2]);
    const tape = new Tape().watch(x);
    exp(x);

    expect(tape.size).toBe(0);
  });

  test("records nothing under withoutRecording", () => {
    const x = tensor([1, 2]);
    const tape = new Tape().watch(x);
    tape.record(() => withoutRecording(() => exp(x)));

    expect(tape.size).toBe(0);
  });

  test("clear forgets the recorded ops", () => {
    const x = tensor([1, 2]);
    const tape = new Tape().watch(x);
    const y = tape.record(() => sum(exp(x)));
    tape.clear();

    expect(tape.size).toBe(0);
    expect(tape.gradient(y, [x])).toEqual([null]);
  });

  test("two tapes record their own tensors", async () => {
    const x = tensor([1, 2]);
    const w = tensor([3, 4]);
    const tapeX = new Tape().watch(x);
    const tapeW = new Tape().watch(w);
    const loss = tapeX.record(() => tapeW.record(() => sum(mul(x, w))));

    const [dxOnX, dwOnX] = tapeX.gradient(loss, [x, w]);
    const [dxOnW, dwOnW] = tapeW.gradient(loss, [x, w]);

    expect(await dxOnX!.data()).toBeAllClose([3, 4]);
    expect(dwOnX).toBeNull();
    expect(dxOnW).toBeNull();
    expect(await dwOnW!.data()).toBeAllClose([1, 2]);
  });

  test("the reverse pass records nothing", () => {
    const x = tensor([1, 2]);
    const inner = new Tape().watch(x);
    const outer = new Tape().watch(x);
    const loss = inner.record(() => sum(exp(x)));
    outer.record(() => inner.gradient(loss, [x]));

    expect(outer.size).toBe(0);
  });
});

describe("gradient", () => {
  test("scalar loss needs no cotangent", async () => {
    const x = tensor([1, -2, 3]);
    const tape = new Tape().watch(x);
    const loss = tape.record(() => sum(mul(x, 3)));
    const [dx] = tape.gradient(loss, [x]);

    expect(dx!.shape).toEqual([3]);
    expect(await dx!.data()).toBeAllClose([3, 3, 3]);
  });

  test("non-scalar output without cotangent is rejected", () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const tape = new Tape().watch(x);
    const y = tape.record(() => exp(x));

    expect(() => tape.gradient(y, [x])).toThrow(GradientError);
    expect(() => tape.gradient(y, [x])).toThrow(/output has shape \[2, 3\], not a scalar/);
  });

  test("cotangent of the wrong shape is rejected", () => {
    const x = tensor([1, 2, 3]);
    const tape = new Tape().watch(x);
    const y = tape.record(() => exp(x));

    expect(() => tape.gradient(y, [x], { cotangent: ones([3, 1]) })).toThrow(GradientError);
    expect(() => tape.gradient(y, [x], { cotangent: ones([3, 1]) })).toThrow(
      /cotangent has shape \[3, 1\], but the output has shape \[3\]/,
    );
  });

  test("cotangent gives the vector-Jacobian product", async () => {
    // y = x w with x [2, 3] and w [3, 4]: for cotangent c, dx = c wᵀ and dw = xᵀ c.
    const xValues = fixture(6, 1);
    const wValues = fixture(12, 2);
    const cValues = fixture(8, 3);
    const x = tensor(xValues, [2, 3]);
    const w = tensor(wValues, [3, 4]);
    const tape = new Tape().watch(x, w);
    const y = tape.record(() => matmul(x, w));

    const [dx, dw] = tape.gradient(y, [x, w], { cotangent: tensor(cValues, [2, 4]) });

    const expectedDx: number[] = [];
    for (let i = 0; i < 2; i++) {
      for (let k = 0; k < 3; k++) {
        let total = 0;
        for (let j = 0; j < 4; j++) total += cValues[i * 4 + j]! * wValues[k * 4 + j]!;
        expectedDx.push(total);
      }
    }
    const expectedDw: number[] = [];
    for (let k = 0; k < 3; k++) {
      for (let j = 0; j < 4; j++) {
        let total = 0;
        for (let i = 0; i < 2; i++) total += xValues[i * 3 + k]! * cValues[i * 4 + j]!;
        expectedDw.push(total);
      }
    }
    expect(dx!.shape).toEqual([2, 3]);
    expect(await dx!.data()).toBeAllClose(expectedDx);
    expect(dw!.shape).toEqual([3, 4]);
    expect(await dw!.data()).toBeAllClose(expectedDw);
  });

  test("unconnected tensors get null by default", () => {
    const x = tensor([1, 2]);
    const other = tensor([[5]]);
    const tape = new Tape().watch(x, other);
    const loss = tape.record(() => sum(x));

    expect(tape.gradient(loss, [other])).toEqual([null]);
  });

  test("unconnected zero gives zeros of the shape and dtype", async () => {
    const x = tensor([1, 2]);
    const other = tensor(new Int32Array([7, 8, 9]), [3, 1]);
    const tape = new Tape().watch(x, other);
    const loss = tape.record(() => sum(x));
    const [grad] = tape.gradient(loss, [other], { unconnected: "zero" });

    expect(grad!.shape).toEqual([3, 1]);
    expect(grad!.dtype).toBe("int32");
    expect(await grad!.data()).toBeAllClose([0, 0, 0]);
  });

  test("unwatched inputs of recorded ops get null", () => {
    const x = tensor([1, 2]);
    const constant = tensor([3, 4]);
    const tape = new Tape().watch(x);
    const loss = tape.record(() => sum(mul(x, constant)));

    expect(tape.gradient(loss, [constant])).toEqual([null]);
  });

  test("unwatched inputs of unrecorded ops get null", () => {
    const x = tensor([1, 2]);
    const unwatched = tensor([3, 4]);
    const tape = new Tape().watch(x);
    const loss = tape.record(() => sum(add(x, exp(unwatched))));

    expect(tape.gradient(loss, [unwatched])).toEqual([null]);
  });

  test("gradients accumulate when a tensor is used twice", async () => {
    const x = tensor([1, -2, 0.5]);
    const tape = new Tape().watch(x);
    const loss = tape.record(() => sum(mul(x, x)));
    const [dx] = tape.gradient(loss, [x]);

    expect(await dx!.data()).toBeAllClose([2, -4, 1]);
  });

  test("gradients accumulate over separate branches", async () => {
    const x = tensor([0, 1]);
    const tape = new Tape().watch(x);
    const loss = tape.record(() => sum(add(mul(x, 2), exp(x))));
    const [dx] = tape.gradient(loss, [x]);

    expect(await dx!.data()).toBeAllClose([3, 2 + Math.E]);
  });

  test("gradient with respect to an intermediate", async () => {
    const x = tensor([1, 2]);
    const tape = new Tape().watch(x);
    let hidden: Tensor | undefined;
    const loss = tape.record(() => {
      hidden = exp(x);
      return sum(mul(hidden, hidden));
    });
    const [dHidden] = tape.gradient(loss, [hidden!]);

    expect(await dHidden!.data()).toBeAllClose([2 * Math.E, 2 * Math.exp(2)]);
  });

  test("an op without a rule is reported by name", () => {
    const x = tensor([1, 2]);
    const tape = new Tape().watch(x);
    const loss = tape.record(() => {
      const y = exp(x);
      emitOp({ name: "mystery", inputs: [x], output: y, attrs: {} });
      return sum(y);
    });

    expect(() => tape.gradient(loss, [x])).toThrow(GradientError);
    expect(() => tape.gradient(loss, [x])).toThrow(/No VJP rule is registered for op "mystery"/);
  });
});
