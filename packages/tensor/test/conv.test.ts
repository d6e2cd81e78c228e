/**
 * Conformance: conv2d, conv2dTranspose, conv2dFilterGradient, im2col and
 * col2im against a hand-computed case and naive float64 loops, over
 * strides, padding, dilation and non-square shapes.
 */
import { expect } from "vitest";
import {
  col2im,
  conv2d,
  conv2dFilterGradient,
  conv2dTranspose,
  im2col,
  InvalidArgumentError,
  mul,
  ShapeError,
  sum,
  tensor,
} from "../src/index.js";
import "@modular/testing";
import { describeConformance, fixture, sizeOfShape } from "./conformance.js";
import { type Geometry, outSize, referenceConv2d, referenceConv2dTranspose, referenceFilterGradient } from "./window-reference.js";

type Shape4 = [number, number, number, number];

interface ConvCase {
  readonly name: string;
  readonly x: Shape4;
  readonly w: Shape4;
  readonly geometry: Geometry;
}

const plain = (k: number): Geometry => ({ kernel: [k, k], stride: [1, 1], padding: [0, 0], dilation: [1, 1] });

const CASES: readonly ConvCase[] = [
  { name: "3x3, no padding", x: [2, 3, 6, 5], w: [4, 3, 3, 3], geometry: plain(3) },
  { name: "3x3, padding 1", x: [2, 2, 5, 5], w: [3, 2, 3, 3], geometry: { ...plain(3), padding: [1, 1] } },
  { name: "stride 2, odd input", x: [1, 2, 7, 7], w: [2, 2, 3, 3], geometry: { ...plain(3), stride: [2, 2], padding: [1, 1] } },
  { name: "dilation 2", x: [1, 2, 7, 6], w: [2, 2, 3, 3], geometry: { ...plain(3), dilation: [2, 2] } },
  {
    name: "per-axis stride, padding and dilation",
    x: [2, 3, 8, 9],
    w: [2, 3, 2, 3],
    geometry: { kernel: [2, 3], stride: [2, 1], padding: [1, 2], dilation: [1, 2] },
  },
  { name: "1x1 kernel", x: [2, 4, 3, 3], w: [5, 4, 1, 1], geometry: plain(1) },
  {
    name: "many channels crossing a matmul tile",
    x: [2, 20, 9, 9],
    w: [70, 20, 3, 3],
    geometry: { ...plain(3), padding: [1, 1] },
  },
];

const options = (g: Geometry) => ({ stride: [...g.stride] as [number, number], padding: [...g.padding] as [number, number], dilation: [...g.dilation] as [number, number] });

describeConformance("convolution", (test) => {
  test("conv2d of a hand-computed case", async () => {
    // 1 image, 1 channel, 3x3 input; a 2x2 filter of ones with padding 0 sums each 2x2 block.
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);
    const w = tensor([1, 1, 1, -1], [1, 1, 2, 2]);

    const y = conv2d(x, w);

    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(await y.data()).toBeAllClose([1 + 2 + 4 - 5, 2 + 3 + 5 - 6, 4 + 5 + 7 - 8, 5 + 6 + 8 - 9]);
  });

  for (const { name, x: xShape, w: wShape, geometry } of CASES) {
    test(`conv2d, ${name}`, async () => {
      const xValues = fixture(sizeOfShape(xShape), 31);
      const wValues = fixture(sizeOfShape(wShape), 32);

      const y = conv2d(tensor(xValues, xShape), tensor(wValues, wShape), options(geometry));

      expect(y.shape).toEqual([xShape[0], wShape[0], outSize(xShape[2], 0, geometry), outSize(xShape[3], 1, geometry)]);
      expect(await y.data()).toBeAllClose(referenceConv2d(xValues, xShape, wValues, wShape, geometry), {
        rtol: 1e-4,
        atol: 1e-5,
      });
    });

    test(`conv2dTranspose, ${name}`, async () => {
      // The transposed filter maps wShape[0] channels back to wShape[1].
      const dyShape: Shape4 = [xShape[0], wShape[0], outSize(xShape[2], 0, geometry), outSize(xShape[3], 1, geometry)];
      const dyValues = fixture(sizeOfShape(dyShape), 33);
      const wValues = fixture(sizeOfShape(wShape), 34);

      const dx = conv2dTranspose(tensor(dyValues, dyShape), tensor(wValues, wShape), {
        ...options(geometry),
        outputSize: [xShape[2], xShape[3]],
      });

      const expected = referenceConv2dTranspose(dyValues, dyShape, wValues, wShape, geometry, [xShape[2], xShape[3]]);
      expect(dx.shape).toEqual(xShape);
      expect(await dx.data()).toBeAllClose(expected, { rtol: 1e-4, atol: 1e-5 });
    });

    test(`conv2dFilterGradient, ${name}`, async () => {
      const dyShape: Shape4 = [xShape[0], wShape[0], outSize(xShape[2], 0, geometry), outSize(xShape[3], 1, geometry)];
      const xValues = fixture(sizeOfShape(xShape), 35);
      const dyValues = fixture(sizeOfShape(dyShape), 36);

      const dw = conv2dFilterGradient(tensor(xValues, xShape), tensor(dyValues, dyShape), [wShape[2], wShape[3]], options(geometry));

      expect(dw.shape).toEqual(wShape);
      const expected = referenceFilterGradient(xValues, xShape, dyValues, wShape, geometry);
      expect(await dw.data()).toBeAllClose(expected, { rtol: 1e-4, atol: 1e-4 });
    });
  }

  test("conv2dTranspose with outputPadding picks the larger size", async () => {
    const x = tensor(fixture(9, 37), [1, 1, 3, 3]);
    const w = tensor(fixture(9, 38), [1, 1, 3, 3]);

    const small = conv2dTranspose(x, w, { stride: 2, padding: 1 });
    const large = conv2dTranspose(x, w, { stride: 2, padding: 1, outputPadding: 1 });

    expect(small.shape).toEqual([1, 1, 5, 5]);
    expect(large.shape).toEqual([1, 1, 6, 6]);
  });

  test("im2col and col2im are adjoint", async () => {
    // <im2col(x), c> = <x, col2im(c)> for every x and c.
    const g: Geometry = { kernel: [3, 2], stride: [2, 1], padding: [1, 1], dilation: [2, 1] };
    const xShape: Shape4 = [2, 3, 7, 6];
    const x = tensor(fixture(sizeOfShape(xShape), 39), xShape);
    const cols = im2col(x, g.kernel as [number, number], options(g));
    const c = tensor(fixture(cols.size, 40), cols.shape);

    const left = await sum(mul(cols, c)).data();
    const right = await sum(mul(x, col2im(c, xShape, g.kernel as [number, number], options(g)))).data();

    expect(cols.shape).toEqual([2 * outSize(7, 0, g) * outSize(6, 1, g), 3 * 3 * 2]);
    expect(right[0]).toBeCloseTo(left[0]!, 3);
  });

  test("im2col lays out one window per row", async () => {
    const x = tensor([1, 2, 3, 4], [1, 1, 2, 2]);

    const cols = im2col(x, 2, { padding: 1, stride: 2 });

    expect(cols.shape).toEqual([4, 4]);
    expect(await cols.array()).toBeAllClose([
      [0, 0, 0, 1],
      [0, 0, 2, 0],
      [0, 3, 0, 0],
      [4, 0, 0, 0],
    ]);
  });

  test("conv2d rejects a wrong input rank", () => {
    expect(() => conv2d(tensor(fixture(9, 1), [1, 3, 3]), tensor(fixture(9, 2), [1, 1, 3, 3]))).toThrow(ShapeError);
    expect(() => conv2d(tensor(fixture(9, 1), [1, 3, 3]), tensor(fixture(9, 2), [1, 1, 3, 3]))).toThrow(
      /input must have rank 4 \[N, C, H, W\], but got \[1, 3, 3\]/,
    );
  });

  test("conv2d rejects a channel mismatch", () => {
    const x = tensor(fixture(18, 1), [1, 2, 3, 3]);
    const w = tensor(fixture(27, 2), [1, 3, 3, 3]);

    expect(() => conv2d(x, w)).toThrow(ShapeError);
    expect(() => conv2d(x, w)).toThrow(/input \[1, 2, 3, 3\] has 2 channels but filter \[1, 3, 3, 3\] expects 3/);
  });

  test("conv2d rejects a kernel larger than the input", () => {
    const x = tensor(fixture(4, 1), [1, 1, 2, 2]);
    const w = tensor(fixture(9, 2), [1, 1, 3, 3]);

    expect(() => conv2d(x, w)).toThrow(ShapeError);
    expect(() => conv2d(x, w)).toThrow(/does not fit the input \[1, 1, 2, 2\]; the output would be 0x0/);
  });

  test("conv2d rejects a bad stride", () => {
    const x = tensor(fixture(9, 1), [1, 1, 3, 3]);
    const w = tensor(fixture(4, 2), [1, 1, 2, 2]);

    expect(() => conv2d(x, w, { stride: 0 })).toThrow(InvalidArgumentError);
    expect(() => conv2d(x, w, { stride: 0 })).toThrow(/stride 0 is invalid; pass an integer >= 1/);
    expect(() => conv2d(x, w, { padding: -1 })).toThrow(/padding -1 is invalid/);
    expect(() => conv2d(x, w, { dilation: [1, 1.5] as unknown as [number, number] })).toThrow(/dilation \[1,1.5\]/);
  });

  test("conv2dTranspose rejects an output size that does not map back", () => {
    const x = tensor(fixture(9, 1), [1, 1, 3, 3]);
    const w = tensor(fixture(9, 2), [1, 1, 3, 3]);

    expect(() => conv2dTranspose(x, w, { stride: 2, padding: 1, outputSize: [7, 5] })).toThrow(ShapeError);
    expect(() => conv2dTranspose(x, w, { stride: 2, padding: 1, outputSize: [7, 5] })).toThrow(
      /output height 7 does not map back .* valid sizes are 5 to 6/,
    );
  });

  test("conv2dFilterGradient rejects dy of the wrong size", () => {
    const x = tensor(fixture(25, 1), [1, 1, 5, 5]);
    const dy = tensor(fixture(16, 2), [1, 1, 4, 4]);

    expect(() => conv2dFilterGradient(x, dy, 3)).toThrow(ShapeError);
    expect(() => conv2dFilterGradient(x, dy, 3)).toThrow(/which is \[1, O, 3, 3\]/);
  });
});
