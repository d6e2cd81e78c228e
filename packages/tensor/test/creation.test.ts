/** Conformance: creating tensors from values and constant fills, in float32 and int32. */
import { expect } from "vitest";
import { full, ones, onesLike, scalar, ShapeError, tensor, zeros, zerosLike } from "../src/index.js";
import "@modular/testing";
import { describeConformance } from "./conformance.js";

describeConformance("creation", (test) => {
  test("nested arrays give their shape", async () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);

    expect(x.shape).toEqual([2, 3]);
    expect(x.dtype).toBe("float32");
    expect(await x.array()).toBeAllClose([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  test("rank-3 nested arrays", async () => {
    const x = tensor([[[1], [2]], [[3], [4]], [[5], [6]]]);

    expect(x.shape).toEqual([3, 2, 1]);
    expect(await x.data()).toBeAllClose([1, 2, 3, 4, 5, 6]);
  });

  test("flat array with an explicit shape", async () => {
    const x = tensor([1, 2, 3, 4, 5, 6], [3, 2]);

    expect(x.shape).toEqual([3, 2]);
    expect(await x.array()).toBeAllClose([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
  });

  test("a number gives a rank-0 tensor", async () => {
    const x = tensor(7.5);

    expect(x.shape).toEqual([]);
    expect(x.size).toBe(1);
    expect(await x.array()).toBeAllClose(7.5);
  });

  test("scalar is rank 0 in either dtype", async () => {
    const f = scalar(2.5);
    const i = scalar(3, "int32");

    expect(f.shape).toEqual([]);
    expect(f.dtype).toBe("float32");
    expect(await f.data()).toBeAllClose([2.5]);
    expect(i.dtype).toBe("int32");
    expect(await i.data()).toBeAllClose([3]);
  });

  test("empty array gives a zero-size tensor", async () => {
    const x = tensor([]);

    expect(x.shape).toEqual([0]);
    expect(x.size).toBe(0);
    expect(Array.from(await x.data())).toEqual([]);
  });

  test("Float32Array gives float32", async () => {
    const x = tensor(new Float32Array([0.5, -1.5]));

    expect(x.dtype).toBe("float32");
    expect(x.shape).toEqual([2]);
    expect(await x.data()).toBeAllClose([0.5, -1.5]);
  });

  test("Int32Array gives int32", async () => {
    const x = tensor(new Int32Array([3, -4, 2147483647]));
    const values = await x.data();

    expect(x.dtype).toBe("int32");
    expect(values).toBeInstanceOf(Int32Array);
    expect(values).toBeAllClose([3, -4, 2147483647], { rtol: 0, atol: 0 });
  });

  test("int32 dtype truncates toward zero", async () => {
    const x = tensor([1.7, -1.7, 2], [3], "int32");

    expect(x.dtype).toBe("int32");
    expect(await x.data()).toBeAllClose([1, -1, 2], { rtol: 0, atol: 0 });
  });

  test("float32 rounds to single precision", async () => {
    const x = tensor([0.1, 1e-50, 16777217]);

    expect(await x.data()).toBeAllClose([Math.fround(0.1), 0, 16777216], { rtol: 0, atol: 0 });
  });

  test("zeros, ones and full", async () => {
    const z = zeros([2, 2]);
    const o = ones([3], "int32");
    const f = full([2, 1], -2.5);

    expect(z.shape).toEqual([2, 2]);
    expect(await z.array()).toBeAllClose([
      [0, 0],
      [0, 0],
    ]);
    expect(o.dtype).toBe("int32");
    expect(await o.data()).toBeAllClose([1, 1, 1]);
    expect(await f.array()).toBeAllClose([[-2.5], [-2.5]]);
  });

  test("full with an empty shape is a scalar", async () => {
    const x = full([], 4);

    expect(x.shape).toEqual([]);
    expect(await x.array()).toBeAllClose(4);
  });

  test("zerosLike and onesLike keep shape and dtype", async () => {
    const x = tensor(new Int32Array([5, 6, 7, 8]), [2, 2]);
    const z = zerosLike(x);
    const o = onesLike(x);

    expect(z.shape).toEqual([2, 2]);
    expect(z.dtype).toBe("int32");
    expect(await z.data()).toBeAllClose([0, 0, 0, 0]);
    expect(o.dtype).toBe("int32");
    expect(await o.data()).toBeAllClose([1, 1, 1, 1]);
  });

  test("ragged nested arrays are rejected", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged at depth 1 \(lengths 2 and 1\)/);
  });

  test("mixed nesting depth is rejected", () => {
    expect(() => tensor([[1, 2], 3])).toThrow(ShapeError);
  });

  test("values that do not fill the shape are rejected", () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(ShapeError);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/3 values do not fill shape \[2, 2\]/);
  });

  test("invalid dimensions are rejected", () => {
    expect(() => zeros([2, -1])).toThrow(ShapeError);
    expect(() => zeros([1.5])).toThrow(/\[1\.5\]/);
  });
});
