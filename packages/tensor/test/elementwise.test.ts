/**
 * Conformance: element-wise ops. Unary and binary ops are compared with
 * float64 references from `Math` on float32-rounded inputs.
 */
import { expect } from "vitest";
import {
  abs,
  add,
  cast,
  ceil,
  clip,
  div,
  DTypeError,
  equal,
  exp,
  floor,
  greater,
  greaterEqual,
  isFinite,
  less,
  lessEqual,
  log,
  log1p,
  maximum,
  minimum,
  mul,
  neg,
  notEqual,
  pow,
  reciprocal,
  relu,
  rsqrt,
  ShapeError,
  sigmoid,
  sign,
  sqrt,
  square,
  sub,
  tanh,
  type Tensor,
  tensor,
  where,
} from "../src/index.js";
import "@modular/testing";
import { describeConformance, fixture } from "./conformance.js";

/** Inputs on both sides of zero, including values where float32 overflow or underflow would show. */
const SIGNED = [-30, -2.5, -1, -0.5, 0, 0.25, 1, 3.75, 30];
const POSITIVE = [0.001, 0.3, 1, 2, 9, 1e4];

interface UnaryCase {
  readonly name: string;
  readonly op: (x: Tensor) => Tensor;
  readonly reference: (x: number) => number;
  readonly inputs: readonly number[];
}

const UNARY_CASES: readonly UnaryCase[] = [
  { name: "neg", op: neg, reference: (x) => -x, inputs: SIGNED },
  { name: "abs", op: abs, reference: Math.abs, inputs: SIGNED },
  { name: "sign", op: sign, reference: Math.sign, inputs: SIGNED },
  { name: "exp", op: exp, reference: Math.exp, inputs: SIGNED },
  { name: "log", op: log, reference: Math.log, inputs: POSITIVE },
  { name: "log1p", op: log1p, reference: Math.log1p, inputs: [-0.5, -1e-7, 0, 1e-7, 0.5, 100] },
  { name: "sqrt", op: sqrt, reference: Math.sqrt, inputs: [0, ...POSITIVE] },
  { name: "rsqrt", op: rsqrt, reference: (x) => 1 / Math.sqrt(x), inputs: POSITIVE },
  { name: "square", op: square, reference: (x) => x * x, inputs: SIGNED },
  { name: "reciprocal", op: reciprocal, reference: (x) => 1 / x, inputs: [-4, -0.5, 0.25, 2, 1e4] },
  { name: "relu", op: relu, reference: (x) => Math.max(x, 0), inputs: SIGNED },
  { name: "sigmoid", op: sigmoid, reference: (x) => 1 / (1 + Math.exp(-x)), inputs: [-100, ...SIGNED, 100] },
  { name: "tanh", op: tanh, reference: Math.tanh, inputs: SIGNED },
  { name: "floor", op: floor, reference: Math.floor, inputs: [-2.5, -1, -0.5, 0, 0.5, 1, 2.5] },
  { name: "ceil", op: ceil, reference: Math.ceil, inputs: [-2.5, -1, -0.5, 0, 0.5, 1, 2.5] },
];

describeConformance("unary ops", (test) => {
  for (const { name, op, reference, inputs } of UNARY_CASES) {
    test(`${name} matches the reference`, async () => {
      const x = tensor(inputs);
      const y = op(x);
      const expected = inputs.map((v) => reference(Math.fround(v)));

      expect(y.shape).toEqual([inputs.length]);
      expect(y.dtype).toBe("float32");
      expect(await y.data()).toBeAllClose(expected, { rtol: 1e-6, atol: 1e-7 });
    });
  }

  test("shape is kept", async () => {
    const x = tensor(fixture(24, 1), [2, 3, 4]);

    expect(exp(x).shape).toEqual([2, 3, 4]);
    expect(await exp(x).data()).toBeAllClose(fixture(24, 1).map(Math.exp));
  });

  test("sigmoid saturates without NaN", async () => {
    const y = sigmoid(tensor([-1000, 1000]));

    expect(await y.data()).toBeAllClose([0, 1], { rtol: 0, atol: 0 });
  });

  test("isFinite flags NaN and infinities as int32", async () => {
    const y = isFinite(tensor([1, Number.NaN, Infinity, -Infinity, -3]));

    expect(y.dtype).toBe("int32");
    expect(await y.data()).toBeAllClose([1, 0, 0, 0, 1]);
  });

  for (const [name, op, expected] of [
    ["neg", neg, [3, -4, 0]],
    ["abs", abs, [3, 4, 0]],
    ["sign", sign, [-1, 1, 0]],
    ["square", square, [9, 16, 0]],
    ["relu", relu, [0, 4, 0]],
  ] as const) {
    test(`${name} keeps int32`, async () => {
      const y = op(tensor(new Int32Array([-3, 4, 0])));

      expect(y.dtype).toBe("int32");
      expect(await y.data()).toBeAllClose(expected);
    });
  }

  test("float-only ops reject int32", () => {
    const x = tensor(new Int32Array([1, 2]));

    for (const op of [exp, log, log1p, sqrt, rsqrt, reciprocal, sigmoid, tanh, floor, ceil, isFinite]) {
      expect(() => op(x)).toThrow(DTypeError);
    }
    expect(() => exp(x)).toThrow(/exp requires a float32 tensor, but got int32 \[2\]/);
  });
});

interface BinaryCase {
  readonly name: string;
  readonly op: (a: Tensor, b: Tensor) => Tensor;
  readonly reference: (a: number, b: number) => number;
  readonly a: readonly number[];
  readonly b: readonly number[];
}

const A = [-2.5, -1, 0, 0.5, 1, 3];
const B = [1.5, -2, 4, 0.25, 1, -0.75];

const BINARY_CASES: readonly BinaryCase[] = [
  { name: "add", op: add, reference: (a, b) => a + b, a: A, b: B },
  { name: "sub", op: sub, reference: (a, b) => a - b, a: A, b: B },
  { name: "mul", op: mul, reference: (a, b) => a * b, a: A, b: B },
  { name: "div", op: div, reference: (a, b) => a / b, a: A, b: B },
  { name: "pow", op: pow, reference: Math.pow, a: [0.5, 2, 3, 1.5, 4, 0], b: [2, -1, 0.5, 3, 0, 2] },
  { name: "maximum", op: maximum, reference: Math.max, a: A, b: B },
  { name: "minimum", op: minimum, reference: Math.min, a: A, b: B },
];

describeConformance("binary ops", (test) => {
  for (const { name, op, reference, a, b } of BINARY_CASES) {
    test(`${name} matches the reference`, async () => {
      const y = op(tensor(a, [2, 3]), tensor(b, [2, 3]));
      const expected = a.map((v, i) => reference(Math.fround(v), Math.fround(b[i]!)));

      expect(y.shape).toEqual([2, 3]);
      expect(y.dtype).toBe("float32");
      expect(await y.data()).toBeAllClose(expected);
    });
  }

  test("number operands become scalars", async () => {
    const x = tensor([1, 2, 3]);

    expect(await add(x, 1).data()).toBeAllClose([2, 3, 4]);
    expect(await sub(10, x).data()).toBeAllClose([9, 8, 7]);
    expect(await div(x, 2).data()).toBeAllClose([0.5, 1, 1.5]);
    expect(await pow(2, x).data()).toBeAllClose([2, 4, 8]);
  });

  test("two number operands are rejected", () => {
    expect(() => add(1, 2)).toThrow(DTypeError);
  });

  test("int32 arithmetic stays int32", async () => {
    const a = tensor(new Int32Array([7, -7, 5, 40000]));
    const b = tensor(new Int32Array([2, 2, -3, 50000]));

    expect(add(a, b).dtype).toBe("int32");
    expect(await add(a, b).data()).toBeAllClose([9, -5, 2, 90000], { rtol: 0, atol: 0 });
    expect(await sub(a, b).data()).toBeAllClose([5, -9, 8, -10000], { rtol: 0, atol: 0 });
    expect(await mul(a, b).data()).toBeAllClose([14, -14, -15, 2000000000], { rtol: 0, atol: 0 });
    expect(await maximum(a, b).data()).toBeAllClose([7, 2, 5, 50000], { rtol: 0, atol: 0 });
  });

  test("int32 division truncates toward zero", async () => {
    const y = div(tensor(new Int32Array([7, -7, 7, -7])), tensor(new Int32Array([2, 2, -2, -2])));

    expect(y.dtype).toBe("int32");
    expect(await y.data()).toBeAllClose([3, -3, -3, 3], { rtol: 0, atol: 0 });
  });

  test("int32 pow is rejected", () => {
    const x = tensor(new Int32Array([2]));

    expect(() => pow(x, x)).toThrow(DTypeError);
  });

  test("mixed dtypes name both operands", () => {
    const f = tensor([1, 2]);
    const i = tensor(new Int32Array([1, 2]));

    expect(() => add(f, i)).toThrow(DTypeError);
    expect(() => add(f, i)).toThrow(/float32 \[2\] and int32 \[2\]/);
  });

  test("maximum and minimum propagate NaN", async () => {
    const a = tensor([Number.NaN, 1]);
    const b = tensor([1, Number.NaN]);

    expect(await maximum(a, b).data()).toBeAllClose([Number.NaN, Number.NaN]);
    expect(await minimum(a, b).data()).toBeAllClose([Number.NaN, Number.NaN]);
  });

  test("division by zero gives infinities", async () => {
    const y = div(tensor([1, -1, 0]), tensor([0, 0, 0]));

    expect(await y.data()).toBeAllClose([Infinity, -Infinity, Number.NaN]);
  });
});

interface BroadcastCase {
  readonly name: string;
  readonly aShape: readonly number[];
  readonly bShape: readonly number[];
  readonly outShape: readonly number[];
}

const BROADCAST_CASES: readonly BroadcastCase[] = [
  { name: "scalar", aShape: [2, 3], bShape: [], outShape: [2, 3] },
  { name: "scalar on the left", aShape: [], bShape: [2, 3], outShape: [2, 3] },
  { name: "row", aShape: [2, 3], bShape: [3], outShape: [2, 3] },
  { name: "column", aShape: [2, 3], bShape: [2, 1], outShape: [2, 3] },
  { name: "row against column", aShape: [3, 1], bShape: [1, 4], outShape: [3, 4] },
  { name: "rank-expanding", aShape: [2, 1, 3], bShape: [4, 1], outShape: [2, 4, 3] },
  { name: "size-1 middle axis", aShape: [2, 1, 3], bShape: [2, 5, 3], outShape: [2, 5, 3] },
];

/** Flat index into an operand of `shape` for output coordinate `coord`, by NumPy's rules. */
function broadcastOffset(coord: readonly number[], shape: readonly number[]): number {
  let offset = 0;
  const skip = coord.length - shape.length;
  shape.forEach((dim, axis) => {
    offset = offset * dim + (dim === 1 ? 0 : coord[axis + skip]!);
  });
  return offset;
}

/** List every coordinate of `shape` in row-major order. */
function coordinates(shape: readonly number[]): number[][] {
  let coords: number[][] = [[]];
  for (const dim of shape) {
    coords = coords.flatMap((prefix) => Array.from({ length: dim }, (_, i) => [...prefix, i]));
  }
  return coords;
}

describeConformance("broadcasting", (test) => {
  for (const { name, aShape, bShape, outShape } of BROADCAST_CASES) {
    test(`${name}: ${JSON.stringify(aShape)} with ${JSON.stringify(bShape)}`, async () => {
      const aValues = fixture(aShape.reduce((p, d) => p * d, 1), 11);
      const bValues = fixture(bShape.reduce((p, d) => p * d, 1), 12);
      const y = sub(tensor(aValues, aShape), tensor(bValues, bShape));
      const expected = coordinates(outShape).map(
        (coord) => aValues[broadcastOffset(coord, aShape)]! - bValues[broadcastOffset(coord, bShape)]!,
      );

      expect(y.shape).toEqual(outShape);
      expect(await y.data()).toBeAllClose(expected);
    });
  }

  test("incompatible shapes name both shapes", () => {
    const a = tensor(fixture(6, 1), [2, 3]);
    const b = tensor(fixture(4, 2), [4]);

    expect(() => add(a, b)).toThrow(ShapeError);
    expect(() => add(a, b)).toThrow(/add: shapes \[2, 3\] and \[4\] cannot be broadcast/);
  });

  test("incompatible inner axis is rejected", () => {
    const a = tensor(fixture(6, 1), [3, 2]);
    const b = tensor(fixture(6, 2), [2, 3]);

    expect(() => mul(a, b)).toThrow(/\[3, 2\] and \[2, 3\]/);
  });
});

describeConformance("comparisons and selection", (test) => {
  const a = [1, 2, 3, -1];
  const b = [1, 3, 2, -1];
  const cases = [
    ["equal", equal, [1, 0, 0, 1]],
    ["notEqual", notEqual, [0, 1, 1, 0]],
    ["less", less, [0, 1, 0, 0]],
    ["lessEqual", lessEqual, [1, 1, 0, 1]],
    ["greater", greater, [0, 0, 1, 0]],
    ["greaterEqual", greaterEqual, [1, 0, 1, 1]],
  ] as const;

  for (const [name, op, expected] of cases) {
    test(`${name} gives int32 0 and 1`, async () => {
      const y = op(tensor(a), tensor(b));

      expect(y.dtype).toBe("int32");
      expect(await y.data()).toBeAllClose(expected, { rtol: 0, atol: 0 });
    });
  }

  test("comparisons broadcast", async () => {
    const y = greater(tensor([[1], [3]]), tensor([0, 2, 4]));

    expect(y.shape).toEqual([2, 3]);
    expect(await y.array()).toBeAllClose([
      [1, 0, 0],
      [1, 1, 0],
    ]);
  });

  test("comparisons work on int32", async () => {
    const y = less(tensor(new Int32Array([1, 5])), 3);

    expect(await y.data()).toBeAllClose([1, 0]);
  });

  test("comparison with NaN is false except notEqual", async () => {
    const x = tensor([Number.NaN]);

    expect(await equal(x, x).data()).toBeAllClose([0]);
    expect(await less(x, 0).data()).toBeAllClose([0]);
    expect(await notEqual(x, x).data()).toBeAllClose([1]);
  });

  test("where picks by condition", async () => {
    const condition = tensor(new Int32Array([1, 0, 2, 0]));
    const y = where(condition, tensor([1, 2, 3, 4]), tensor([10, 20, 30, 40]));

    expect(await y.data()).toBeAllClose([1, 20, 3, 40]);
  });

  test("where broadcasts all three operands", async () => {
    const condition = tensor(new Int32Array([1, 0, 1]), [1, 3]);
    const y = where(condition, tensor([[1], [2]]), 0);

    expect(y.shape).toEqual([2, 3]);
    expect(await y.array()).toBeAllClose([
      [1, 0, 1],
      [2, 0, 2],
    ]);
  });

  test("where rejects a float32 condition", () => {
    expect(() => where(tensor([1]), tensor([1]), tensor([2]))).toThrow(DTypeError);
  });

  test("cast float32 to int32 truncates toward zero", async () => {
    const y = cast(tensor([1.7, -1.7, 2.5, -0.5, 3]), "int32");

    expect(y.dtype).toBe("int32");
    expect(await y.data()).toBeAllClose([1, -1, 2, 0, 3], { rtol: 0, atol: 0 });
  });

  test("cast int32 to float32", async () => {
    const y = cast(tensor(new Int32Array([-3, 16777216])), "float32");

    expect(y.dtype).toBe("float32");
    expect(await y.data()).toBeAllClose([-3, 16777216], { rtol: 0, atol: 0 });
  });

  test("clip clamps into the range", async () => {
    const y = clip(tensor([-2, -1, -0.5, 0.5, 1, 2]), -1, 1);

    expect(await y.data()).toBeAllClose([-1, -1, -0.5, 0.5, 1, 1]);
  });
});
