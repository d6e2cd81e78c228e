/**
 * Conformance: reductions over axes, argmax/argmin, softmax and
 * log-softmax, against float64 references written in the test.
 */
import { expect } from "vitest";
import {
  argmax,
  argmin,
  DTypeError,
  InvalidArgumentError,
  logSoftmax,
  max,
  mean,
  min,
  softmax,
  sum,
  type ReduceOptions,
  type Tensor,
  tensor,
  zeros,
} from "../src/index.js";
import "@modular/testing";
import { describeConformance, fixture, sizeOfShape } from "./conformance.js";

type ReduceKind = "sum" | "mean" | "max" | "min";

const REDUCERS: Record<ReduceKind, (x: Tensor, options?: ReduceOptions) => Tensor> = { sum, mean, max, min };

/** Reduce `values` of `shape` over `axes` (already non-negative) in float64. */
function referenceReduce(
  kind: ReduceKind,
  values: readonly number[],
  shape: readonly number[],
  axes: readonly number[],
  keepDims: boolean,
): { shape: number[]; values: number[] } {
  const keptShape = shape.map((dim, axis) => (axes.includes(axis) ? 1 : dim));
  const outShape = keepDims ? keptShape : shape.filter((_, axis) => !axes.includes(axis));
  const groups: number[][] = Array.from({ length: sizeOfShape(keptShape) }, () => []);

  values.forEach((value, flat) => {
    let rest = flat;
    let outIndex = 0;
    let stride = 1;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      const coord = rest % shape[axis]!;
      rest = Math.floor(rest / shape[axis]!);
      if (!axes.includes(axis)) outIndex += coord * stride;
      stride *= keptShape[axis]!;
    }
    groups[outIndex]!.push(value);
  });

  const combine: Record<ReduceKind, (group: number[]) => number> = {
    sum: (group) => group.reduce((acc, v) => acc + v, 0),
    mean: (group) => group.reduce((acc, v) => acc + v, 0) / group.length,
    max: (group) => Math.max(...group),
    min: (group) => Math.min(...group),
  };
  return { shape: outShape, values: groups.map(combine[kind]) };
}

const SHAPE = [2, 3, 4];

/** Axis options and the non-negative axes they resolve to on SHAPE. */
const AXES: readonly { readonly label: string; readonly axis?: number | number[]; readonly resolved: number[] }[] = [
  { label: "axis 0", axis: 0, resolved: [0] },
  { label: "axis 1", axis: 1, resolved: [1] },
  { label: "axis -1", axis: -1, resolved: [2] },
  { label: "axes [0, 2]", axis: [0, 2], resolved: [0, 2] },
  { label: "axes [-1, -3]", axis: [-1, -3], resolved: [0, 2] },
  { label: "axes [1, 1]", axis: [1, 1], resolved: [1] },
  { label: "all axes", resolved: [0, 1, 2] },
];

describeConformance("reductions", (test) => {
  for (const kind of ["sum", "mean", "max", "min"] as const) {
    for (const { label, axis, resolved } of AXES) {
      for (const keepDims of [false, true]) {
        test(`${kind} over ${label}${keepDims ? " with keepDims" : ""}`, async () => {
          const values = fixture(sizeOfShape(SHAPE), 31);
          const options = axis === undefined ? { keepDims } : { axis, keepDims };
          const y = REDUCERS[kind](tensor(values, SHAPE), options);
          const expected = referenceReduce(kind, values, SHAPE, resolved, keepDims);

          expect(y.shape).toEqual(expected.shape);
          expect(await y.data()).toBeAllClose(expected.values);
        });
      }
    }
  }

  test("no options reduce to a scalar", async () => {
    const y = sum(tensor([[1, 2], [3, 4]]));

    expect(y.shape).toEqual([]);
    expect(await y.array()).toBeAllClose(10);
  });

  test("int32 sum, max and min stay int32", async () => {
    const x = tensor(new Int32Array([3, -7, 5, 2, 2147483647, -2147483648]), [2, 3]);

    expect(sum(x, { axis: 0 }).dtype).toBe("int32");
    expect(await sum(x, { axis: 0 }).data()).toBeAllClose([5, 2147483640, -2147483643], { rtol: 0, atol: 0 });
    expect(await max(x, { axis: 1 }).data()).toBeAllClose([5, 2147483647], { rtol: 0, atol: 0 });
    expect(await min(x, { axis: 1 }).data()).toBeAllClose([-7, -2147483648], { rtol: 0, atol: 0 });
  });

  test("mean rejects int32", () => {
    expect(() => mean(tensor(new Int32Array([1, 2])))).toThrow(DTypeError);
  });

  test("max propagates NaN", async () => {
    const y = max(tensor([1, Number.NaN, 3]));

    expect(await y.array()).toBeAllClose(Number.NaN);
  });

  test("sum over an empty axis is zero", async () => {
    const y = sum(zeros([2, 0]), { axis: 1 });

    expect(y.shape).toEqual([2]);
    expect(await y.data()).toBeAllClose([0, 0]);
  });

  test("max over an empty axis is rejected", () => {
    expect(() => max(zeros([2, 0]), { axis: 1 })).toThrow(InvalidArgumentError);
  });

  test("out-of-range axis names the valid range", () => {
    const x = tensor(fixture(6, 1), [2, 3]);

    expect(() => sum(x, { axis: 2 })).toThrow(InvalidArgumentError);
    expect(() => sum(x, { axis: -3 })).toThrow(
      /axis -3 is out of range for a tensor of rank 2 \(valid axes are -2 to 1\)/,
    );
  });

  const TIES = [
    [1, 3, 3, 0],
    [2, 3, 1, 1],
  ];

  const ARG_CASES = [
    { name: "argmax along the last axis", op: argmax, axis: -1, expected: [1, 1] },
    { name: "argmax along axis 0", op: argmax, axis: 0, expected: [1, 0, 0, 1] },
    { name: "argmin along the last axis", op: argmin, axis: 1, expected: [3, 2] },
    { name: "argmin along axis 0", op: argmin, axis: 0, expected: [0, 0, 1, 0] },
  ];

  for (const { name, op, axis, expected } of ARG_CASES) {
    test(`${name} takes the first of ties`, async () => {
      const y = op(tensor(TIES), axis);

      expect(y.dtype).toBe("int32");
      expect(await y.data()).toBeAllClose(expected, { rtol: 0, atol: 0 });
    });
  }

  test("argmax defaults to the last axis", async () => {
    expect(await argmax(tensor(TIES)).data()).toBeAllClose([1, 1], { rtol: 0, atol: 0 });
  });

  test("argmax along a middle axis", async () => {
    const values = fixture(24, 32);
    const y = argmax(tensor(values, [2, 3, 4]), 1);
    const expected: number[] = [];
    for (let o = 0; o < 2; o++) {
      for (let i = 0; i < 4; i++) {
        const column = [0, 1, 2].map((j) => values[o * 12 + j * 4 + i]!);
        expected.push(column.indexOf(Math.max(...column)));
      }
    }

    expect(y.shape).toEqual([2, 4]);
    expect(await y.data()).toBeAllClose(expected, { rtol: 0, atol: 0 });
  });

  test("argmax over an empty axis is rejected", () => {
    expect(() => argmax(zeros([0, 3]), 0)).toThrow(InvalidArgumentError);
  });
});

/** Softmax or log-softmax of each row of a row-major [rows, length] array, in float64. */
function referenceSoftmax(values: readonly number[], length: number, log: boolean): number[] {
  const out: number[] = [];
  for (let start = 0; start < values.length; start += length) {
    const row = values.slice(start, start + length);
    const top = Math.max(...row);
    const logSum = Math.log(row.reduce((acc, v) => acc + Math.exp(v - top), 0));
    for (const v of row) out.push(log ? v - top - logSum : Math.exp(v - top - logSum));
  }
  return out;
}

describeConformance("softmax", (test) => {
  const EXTREME = [1000, 0, -1000, 1000, 1000, 1000, -1000, -1000, -999];

  test("softmax matches the reference", async () => {
    const values = fixture(15, 41, -3, 3);
    const y = softmax(tensor(values, [3, 5]));

    expect(y.shape).toEqual([3, 5]);
    expect(await y.data()).toBeAllClose(referenceSoftmax(values, 5, false));
  });

  test("logSoftmax matches the reference", async () => {
    const values = fixture(15, 42, -3, 3);
    const y = logSoftmax(tensor(values, [3, 5]));

    expect(await y.data()).toBeAllClose(referenceSoftmax(values, 5, true));
  });

  test("softmax along axis 0", async () => {
    const values = fixture(6, 43, -3, 3);
    const y = softmax(tensor(values, [3, 2]), 0);
    const columns = [0, 1].map((j) => [0, 1, 2].map((i) => values[i * 2 + j]!));
    const [first, second] = columns.map((column) => referenceSoftmax(column, 3, false));
    const expected = [0, 1, 2].flatMap((i) => [first![i]!, second![i]!]);

    expect(await y.data()).toBeAllClose(expected);
  });

  test("softmax of ±1000 is finite", async () => {
    const y = softmax(tensor(EXTREME, [3, 3]));

    expect(await y.data()).toBeAllClose(referenceSoftmax(EXTREME, 3, false));
  });

  test("softmax rows of ±1000 sum to 1", async () => {
    const rows = sum(softmax(tensor(EXTREME, [3, 3])), { axis: -1 });

    expect(await rows.data()).toBeAllClose([1, 1, 1]);
  });

  test("logSoftmax of ±1000 is finite", async () => {
    const y = logSoftmax(tensor(EXTREME, [3, 3]));

    const tail = Math.log1p(2 * Math.exp(-1));
    const third = -Math.log(3);

    expect(await y.data()).toBeAllClose([0, -1000, -2000, third, third, third, -1 - tail, -1 - tail, -tail]);
  });

  test("softmax rejects int32", () => {
    expect(() => softmax(tensor(new Int32Array([1, 2])))).toThrow(DTypeError);
    expect(() => logSoftmax(tensor(new Int32Array([1, 2])))).toThrow(DTypeError);
  });
});
