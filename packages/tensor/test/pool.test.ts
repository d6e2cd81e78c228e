/**
 * Conformance: maxPool2d (values and argmax indices), gatherPool2d,
 * avgPool2d, globalAvgPool2d and the unpooling ops, against hand-computed
 * cases and naive loops, with odd sizes, padding and overlapping windows.
 */
import { expect } from "vitest";
import {
  avgPool2d,
  avgUnpool2d,
  DTypeError,
  gatherPool2d,
  globalAvgPool2d,
  InvalidArgumentError,
  maxPool2d,
  maxUnpool2d,
  mul,
  ShapeError,
  sum,
  tensor,
} from "../src/index.js";
import "@modular/testing";
import { describeConformance, fixture, sizeOfShape } from "./conformance.js";
import { type Geometry, outSize, referencePool2d } from "./window-reference.js";

type Shape4 = [number, number, number, number];

interface PoolCase {
  readonly name: string;
  readonly x: Shape4;
  readonly geometry: Geometry;
}

const pool = (k: number, s: number, p: number): Geometry => ({
  kernel: [k, k],
  stride: [s, s],
  padding: [p, p],
  dilation: [1, 1],
});

const CASES: readonly PoolCase[] = [
  { name: "2x2 stride 2, even input", x: [2, 3, 6, 4], geometry: pool(2, 2, 0) },
  { name: "2x2 stride 2, odd input", x: [1, 2, 7, 7], geometry: pool(2, 2, 0) },
  { name: "3x3 stride 2 padding 1, overlapping", x: [2, 2, 7, 6], geometry: pool(3, 2, 1) },
  { name: "3x3 stride 1 padding 1", x: [1, 3, 5, 5], geometry: pool(3, 1, 1) },
  {
    name: "per-axis kernel, stride and padding",
    x: [2, 2, 9, 8],
    geometry: { kernel: [3, 2], stride: [2, 3], padding: [1, 0], dilation: [1, 1] },
  },
];

const options = (g: Geometry) => ({
  kernelSize: [...g.kernel] as [number, number],
  stride: [...g.stride] as [number, number],
  padding: [...g.padding] as [number, number],
});

/** Distinct values (a shuffled grid) so that no window has a tie. */
function distinctValues(size: number, seed: number): number[] {
  const keys = fixture(size, seed);
  const order = keys.map((key, i) => ({ key, i })).sort((a, b) => a.key - b.key);
  const out = new Array<number>(size);
  order.forEach(({ i }, rank) => {
    out[i] = Math.fround(rank * 0.01 - 1);
  });
  return out;
}

describeConformance("pooling", (test) => {
  test("maxPool2d of a hand-computed case", async () => {
    const x = tensor([1, 5, 2, 0, 3, 4, 9, 8, 7, 6, 1, 2, 0, 3, 4, 5], [1, 1, 4, 4]);

    const { values, indices } = maxPool2d(x, { kernelSize: 2 });

    expect(await values.data()).toBeAllClose([5, 9, 7, 5]);
    expect(Array.from(await indices.data())).toEqual([1, 6, 8, 15]);
    expect(indices.dtype).toBe("int32");
  });

  test("maxPool2d takes the first of tied maxima", async () => {
    const x = tensor([7, 7, 7, 7], [1, 1, 2, 2]);

    const { indices } = maxPool2d(x, { kernelSize: 2 });

    expect(Array.from(await indices.data())).toEqual([0]);
  });

  test("avgPool2d divides by the in-bounds count", async () => {
    const x = tensor([1, 2, 3, 4], [1, 1, 2, 2]);

    const y = avgPool2d(x, { kernelSize: 3, stride: 1, padding: 1 });

    // Every window contains all four elements, so every average is 2.5.
    expect(await y.data()).toBeAllClose([2.5, 2.5, 2.5, 2.5]);
  });

  for (const { name, x: xShape, geometry } of CASES) {
    const pooledShape: Shape4 = [xShape[0], xShape[1], outSize(xShape[2], 0, geometry), outSize(xShape[3], 1, geometry)];

    test(`maxPool2d, ${name}`, async () => {
      const xValues = distinctValues(sizeOfShape(xShape), 41);

      const { values, indices } = maxPool2d(tensor(xValues, xShape), options(geometry));

      const expected = referencePool2d(xValues, xShape, geometry, "max");
      expect(values.shape).toEqual(pooledShape);
      expect(await values.data()).toBeAllClose(expected.values);
      expect(Array.from(await indices.data())).toEqual(expected.indices);
    });

    test(`avgPool2d, ${name}`, async () => {
      const xValues = fixture(sizeOfShape(xShape), 42);

      const y = avgPool2d(tensor(xValues, xShape), options(geometry));

      expect(y.shape).toEqual(pooledShape);
      expect(await y.data()).toBeAllClose(referencePool2d(xValues, xShape, geometry, "avg").values, { rtol: 1e-5, atol: 1e-6 });
    });

    test(`maxUnpool2d is the adjoint of gatherPool2d, ${name}`, async () => {
      // <gatherPool2d(x, i), v> = <x, maxUnpool2d(v, i)> for every x and v.
      const x = tensor(distinctValues(sizeOfShape(xShape), 43), xShape);
      const { indices } = maxPool2d(x, options(geometry));
      const v = tensor(fixture(sizeOfShape(pooledShape), 44), pooledShape);
      const z = tensor(fixture(sizeOfShape(xShape), 45), xShape);

      const left = await sum(mul(gatherPool2d(z, indices, options(geometry)), v)).data();
      const unpooled = maxUnpool2d(v, indices, [xShape[2], xShape[3]], options(geometry));
      const right = await sum(mul(z, unpooled)).data();

      expect(unpooled.shape).toEqual(xShape);
      expect(right[0]).toBeCloseTo(left[0]!, 4);
    });

    test(`avgUnpool2d is the adjoint of avgPool2d, ${name}`, async () => {
      const x = tensor(fixture(sizeOfShape(xShape), 46), xShape);
      const v = tensor(fixture(sizeOfShape(pooledShape), 47), pooledShape);
      const size: [number, number] = [xShape[2], xShape[3]];

      for (const divide of [true, false]) {
        const left = await sum(mul(avgPool2d(x, { ...options(geometry), divide }), v)).data();
        const right = await sum(mul(x, avgUnpool2d(v, size, { ...options(geometry), divide }))).data();

        expect(right[0], `divide ${divide}`).toBeCloseTo(left[0]!, 4);
      }
    });
  }

  test("maxUnpool2d restores an odd-sized input", async () => {
    // 3x3 input pooled 2x2: the last row and column belong to no window and come back as zeros.
    const x = tensor([1, 2, 0, 4, 3, 9, 5, 6, 7], [1, 1, 3, 3]);
    const { values, indices } = maxPool2d(x, { kernelSize: 2 });

    const restored = maxUnpool2d(values, indices, [3, 3], { kernelSize: 2 });

    expect(restored.shape).toEqual([1, 1, 3, 3]);
    expect(await restored.data()).toBeAllClose([0, 0, 0, 4, 0, 0, 0, 0, 0]);
  });

  test("maxUnpool2d sums values that share a position", async () => {
    // Both overlapping 2x2 windows (stride 1) over the 3x2 input pick its one 9, at row 1, column 0.
    const x = tensor([0, 0, 9, 0, 0, 0], [1, 1, 3, 2]);
    const { indices } = maxPool2d(x, { kernelSize: 2, stride: 1 });
    const values = tensor([10, 20], [1, 1, 2, 1]);

    const restored = maxUnpool2d(values, indices, [3, 2], { kernelSize: 2, stride: 1 });

    expect(Array.from(await indices.data())).toEqual([2, 2]);
    expect(await restored.data()).toBeAllClose([0, 0, 30, 0, 0, 0]);
  });

  test("maxUnpool2d ignores an index outside its window", async () => {
    // The top-right window (rows 0-1, columns 2-3) points at position 0, which is not in it.
    const values = tensor([1, 2, 3, 4], [1, 1, 2, 2]);
    const indices = tensor(new Int32Array([0, 0, 8, 15]), [1, 1, 2, 2]);

    const restored = maxUnpool2d(values, indices, [4, 4], { kernelSize: 2 });

    expect(await restored.data()).toBeAllClose([1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 4]);
  });

  test("avgUnpool2d copies each value over its window", async () => {
    // 5x5 pooled 2x2 gives 2x2; the copy inverts the pooling on the covered 4x4 block.
    const y = tensor([1, 2, 3, 4], [1, 1, 2, 2]);

    const up = avgUnpool2d(y, [5, 5], { kernelSize: 2 });
    const split = avgUnpool2d(y, [5, 5], { kernelSize: 2, divide: true });

    expect(await up.array()).toBeAllClose([
      [
        [
          [1, 1, 2, 2, 0],
          [1, 1, 2, 2, 0],
          [3, 3, 4, 4, 0],
          [3, 3, 4, 4, 0],
          [0, 0, 0, 0, 0],
        ],
      ],
    ]);
    expect(await avgPool2d(up, { kernelSize: 2 }).data()).toBeAllClose([1, 2, 3, 4]);
    expect(await sum(split).data()).toBeAllClose([10]);
  });

  test("globalAvgPool2d averages each channel", async () => {
    const x = tensor([1, 2, 3, 4, 10, 20, 30, 40], [1, 2, 2, 2]);

    const y = globalAvgPool2d(x);
    const kept = globalAvgPool2d(x, { keepDims: true });

    expect(y.shape).toEqual([1, 2]);
    expect(await y.data()).toBeAllClose([2.5, 25]);
    expect(kept.shape).toEqual([1, 2, 1, 1]);
  });

  test("pooling rejects a wrong input rank", () => {
    const x = tensor(fixture(16, 1), [4, 4]);

    expect(() => maxPool2d(x, { kernelSize: 2 })).toThrow(ShapeError);
    expect(() => avgPool2d(x, { kernelSize: 2 })).toThrow(/input must have rank 4 \[N, C, H, W\], but got \[4, 4\]/);
    expect(() => globalAvgPool2d(x)).toThrow(ShapeError);
  });

  test("pooling rejects padding over half the kernel", () => {
    const x = tensor(fixture(16, 1), [1, 1, 4, 4]);

    expect(() => maxPool2d(x, { kernelSize: 2, padding: 2 })).toThrow(InvalidArgumentError);
    expect(() => maxPool2d(x, { kernelSize: 2, padding: 2 })).toThrow(/Use padding <= 1/);
  });

  test("pooling rejects a bad stride or kernel", () => {
    const x = tensor(fixture(16, 1), [1, 1, 4, 4]);

    expect(() => maxPool2d(x, { kernelSize: 2, stride: 0 })).toThrow(/stride 0 is invalid/);
    expect(() => avgPool2d(x, { kernelSize: 0 })).toThrow(/kernelSize 0 is invalid/);
    expect(() => avgPool2d(x, { kernelSize: 5 })).toThrow(/the output would be 0x0/);
  });

  test("unpooling rejects an output size that does not pool to the values", () => {
    const values = tensor(fixture(9, 1), [1, 1, 3, 3]);

    expect(() => avgUnpool2d(values, [5, 7], { kernelSize: 2 })).toThrow(ShapeError);
    expect(() => avgUnpool2d(values, [5, 7], { kernelSize: 2 })).toThrow(
      /pooling a 5x7 input with these options gives 2x3, but values is \[1, 1, 3, 3\]/,
    );
  });

  test("gatherPool2d rejects an index outside the plane", () => {
    const x = tensor(fixture(16, 1), [1, 1, 4, 4]);
    const indices = tensor(new Int32Array([0, 3, 16, 5]), [1, 1, 2, 2]);

    expect(() => gatherPool2d(x, indices, { kernelSize: 2 })).toThrow(InvalidArgumentError);
    expect(() => gatherPool2d(x, indices, { kernelSize: 2 })).toThrow(/index 16 at position 2 is outside its plane \[0, 16\)/);
  });

  test("maxUnpool2d rejects float or misshapen indices", () => {
    const values = tensor(fixture(4, 1), [1, 1, 2, 2]);

    expect(() => maxUnpool2d(values, tensor([0, 1, 2, 3], [1, 1, 2, 2]), [4, 4], { kernelSize: 2 })).toThrow(DTypeError);
    const wrong = tensor(new Int32Array([0, 1]), [1, 1, 1, 2]);
    expect(() => maxUnpool2d(values, wrong, [4, 4], { kernelSize: 2 })).toThrow(/must have the pooled shape \[1, 1, 2, 2\]/);
  });
});
