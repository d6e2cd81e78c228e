/**
 * Every registered VJP rule against central finite differences.
 *
 * Each case names the op whose rule it checks, its inputs and a function of
 * them. The suite projects the function's output to a scalar,
 * sum(f(x) * r) with a fixed random r, so that every output element
 * contributes to the checked gradient. Inputs stay away from kinks (zero for
 * relu and abs, integers for floor and ceil, ties for max and min) because
 * a finite difference across a kink measures neither one-sided derivative.
 * Ops with integer outputs (comparisons, argmax, oneHot, a cast to int32)
 * are checked to pass no gradient, which is also what finite differences
 * measure away from their jumps.
 */
import {
  abs,
  addOpListener,
  add,
  argmax,
  argmin,
  avgPool2d,
  avgUnpool2d,
  conv2d,
  conv2dFilterGradient,
  conv2dTranspose,
  globalAvgPool2d,
  maxPool2d,
  maxUnpool2d,
  broadcastTo,
  cast,
  ceil,
  clip,
  concat,
  div,
  equal,
  exp,
  floor,
  gather,
  greater,
  greaterEqual,
  isFinite,
  less,
  lessEqual,
  log,
  log1p,
  logSoftmax,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mul,
  neg,
  notEqual,
  oneHot,
  pow,
  reciprocal,
  relu,
  reshape,
  rsqrt,
  scatterAdd,
  sigmoid,
  sign,
  slice,
  softmax,
  sqrt,
  square,
  sub,
  sum,
  tanh,
  type Tensor,
  tensor,
  tidy,
  transpose,
  where,
} from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { checkGradients, listVjps, Tape } from "../src/index.js";
import "@modular/testing";
import { describeOnBackends, fixture } from "./backends.js";

/** Generator of an input's `size` values from a seed. */
type Values = (size: number, seed: number) => number[];

const signed: Values = (size, seed) => fixture(size, seed, -1, 1);
const positive: Values = (size, seed) => fixture(size, seed, 0.5, 2);
/** |x| in [0.2, 1], alternating sign. */
const awayFromZero: Values = (size, seed) => fixture(size, seed, 0.2, 1).map((v, i) => (i % 2 === 0 ? v : -v));
/** x in [k + 0.2, k + 0.8] for integers k from -2 to 2. */
const awayFromIntegers: Values = (size, seed) => fixture(size, seed, 0.2, 0.8).map((v, i) => v + (i % 5) - 2);
/** Class labels 0 to 3 plus a fraction in [0.2, 0.8], so a small step does not change the cast to int32. */
const labels: Values = (size, seed) => fixture(size, seed, 0.2, 0.8).map((v, i) => v + (i % 4));

/**
 * Make a generator of a shuffled grid with spacing 0.1, shifted by `offset`. Two inputs with
 * offsets 0 and 0.05 never come closer than 0.05, and no input ties with itself.
 */
function distinct(offset: number): Values {
  return (size, seed) => {
    const order = fixture(size, seed).map((key, i) => ({ key, i }));
    order.sort((a, b) => a.key - b.key);
    const middle = Math.floor(size / 2);
    return order.map(({ i }) => Math.fround((i - middle) * 0.1 + offset));
  };
}

interface Input {
  readonly shape: readonly number[];
  readonly values: Values;
}

interface VjpCase {
  /** Test name, unique within the table. */
  readonly name: string;
  /** The op whose VJP rule the case checks. The case fails unless the tape records it. */
  readonly op: string;
  readonly inputs: readonly Input[];
  readonly f: (...xs: Tensor[]) => Tensor;
}

const input = (shape: readonly number[], values: Values = signed): Input => ({ shape, values });
const int32 = (values: number[], shape?: number[]): Tensor => tensor(new Int32Array(values), shape ?? [values.length]);
const toFloat = (x: Tensor): Tensor => cast(x, "float32");

const M = [2, 3];

const UNARY_CASES: VjpCase[] = [
  { name: "neg", op: "neg", inputs: [input(M)], f: neg },
  { name: "abs", op: "abs", inputs: [input(M, awayFromZero)], f: abs },
  { name: "sign", op: "sign", inputs: [input(M, awayFromZero)], f: sign },
  { name: "exp", op: "exp", inputs: [input(M)], f: exp },
  { name: "log", op: "log", inputs: [input(M, positive)], f: log },
  { name: "log1p", op: "log1p", inputs: [input(M, positive)], f: log1p },
  { name: "sqrt", op: "sqrt", inputs: [input(M, positive)], f: sqrt },
  { name: "rsqrt", op: "rsqrt", inputs: [input(M, positive)], f: rsqrt },
  { name: "square", op: "square", inputs: [input(M)], f: square },
  { name: "reciprocal", op: "reciprocal", inputs: [input(M, positive)], f: reciprocal },
  { name: "relu", op: "relu", inputs: [input(M, awayFromZero)], f: relu },
  { name: "sigmoid", op: "sigmoid", inputs: [input(M)], f: sigmoid },
  { name: "tanh", op: "tanh", inputs: [input(M)], f: tanh },
  { name: "floor", op: "floor", inputs: [input(M, awayFromIntegers)], f: floor },
  { name: "ceil", op: "ceil", inputs: [input(M, awayFromIntegers)], f: ceil },
  { name: "isFinite", op: "isFinite", inputs: [input(M)], f: (x) => toFloat(isFinite(x)) },
];

const BINARY_CASES: VjpCase[] = [
  { name: "add", op: "add", inputs: [input(M), input(M)], f: add },
  { name: "add broadcasting a row", op: "add", inputs: [input([2, 3]), input([3])], f: add },
  { name: "add broadcasting column and row", op: "add", inputs: [input([2, 1]), input([1, 3])], f: add },
  { name: "sub", op: "sub", inputs: [input(M), input(M)], f: sub },
  { name: "sub broadcasting a column", op: "sub", inputs: [input([2, 3]), input([2, 1])], f: sub },
  { name: "sub from a scalar", op: "sub", inputs: [input([]), input([2, 3])], f: sub },
  { name: "mul", op: "mul", inputs: [input(M), input(M)], f: mul },
  { name: "mul expanding rank", op: "mul", inputs: [input([2, 1, 3]), input([4, 3])], f: mul },
  { name: "mul by a number", op: "mul", inputs: [input(M)], f: (x) => mul(x, 3) },
  { name: "div", op: "div", inputs: [input(M), input(M, positive)], f: div },
  { name: "div broadcasting a row", op: "div", inputs: [input([2, 3]), input([3], positive)], f: div },
  { name: "div of a number", op: "div", inputs: [input(M, positive)], f: (x) => div(2, x) },
  { name: "pow", op: "pow", inputs: [input(M, positive), input(M)], f: pow },
  { name: "pow broadcasting a scalar exponent", op: "pow", inputs: [input(M, positive), input([])], f: pow },
  { name: "maximum", op: "maximum", inputs: [input(M, distinct(0)), input(M, distinct(0.05))], f: maximum },
  {
    name: "maximum broadcasting a row",
    op: "maximum",
    inputs: [input([2, 3], distinct(0)), input([3], distinct(0.05))],
    f: maximum,
  },
  { name: "minimum", op: "minimum", inputs: [input(M, distinct(0)), input(M, distinct(0.05))], f: minimum },
  {
    name: "minimum broadcasting column and row",
    op: "minimum",
    inputs: [input([2, 1], distinct(0)), input([1, 3], distinct(0.05))],
    f: minimum,
  },
  {
    name: "where",
    op: "where",
    inputs: [input(M), input(M)],
    f: (a, b) => where(int32([1, 0, 0, 1, 1, 0], [2, 3]), a, b),
  },
  {
    name: "where broadcasting all operands",
    op: "where",
    inputs: [input([3]), input([2, 1])],
    f: (a, b) => where(int32([1, 0, 1, 0, 0, 1], [2, 3]), a, b),
  },
];

const COMPARISON_CASES: VjpCase[] = (
  [
    ["equal", equal],
    ["notEqual", notEqual],
    ["less", less],
    ["lessEqual", lessEqual],
    ["greater", greater],
    ["greaterEqual", greaterEqual],
  ] as const
).map(([name, op]) => ({
  name,
  op: name,
  inputs: [input(M, distinct(0)), input(M, distinct(0.05))],
  f: (a: Tensor, b: Tensor) => toFloat(op(a, b)),
}));

const CAST_CASES: VjpCase[] = [
  { name: "cast float32 to float32", op: "cast", inputs: [input(M)], f: (x) => cast(x, "float32") },
  {
    name: "cast through int32",
    op: "cast",
    inputs: [input(M, awayFromIntegers)],
    f: (x) => add(toFloat(cast(x, "int32")), x),
  },
];

const MATMUL_CASES: VjpCase[] = [
  { name: "matmul", op: "matmul", inputs: [input([3, 4]), input([4, 5])], f: (a, b) => matmul(a, b) },
  {
    name: "matmul transposeA",
    op: "matmul",
    inputs: [input([4, 3]), input([4, 5])],
    f: (a, b) => matmul(a, b, { transposeA: true }),
  },
  {
    name: "matmul transposeB",
    op: "matmul",
    inputs: [input([3, 4]), input([5, 4])],
    f: (a, b) => matmul(a, b, { transposeB: true }),
  },
  {
    name: "matmul transposeA and transposeB",
    op: "matmul",
    inputs: [input([4, 3]), input([5, 4])],
    f: (a, b) => matmul(a, b, { transposeA: true, transposeB: true }),
  },
  { name: "matmul batched", op: "matmul", inputs: [input([2, 3, 4]), input([2, 4, 5])], f: (a, b) => matmul(a, b) },
  {
    name: "matmul batched, both transposed",
    op: "matmul",
    inputs: [input([2, 4, 3]), input([2, 5, 4])],
    f: (a, b) => matmul(a, b, { transposeA: true, transposeB: true }),
  },
];

const T3 = [2, 3, 4];

const REDUCTION_CASES: VjpCase[] = [
  {
    name: "sum over axis 1 with keepDims",
    op: "sum",
    inputs: [input(T3)],
    f: (x) => sum(x, { axis: 1, keepDims: true }),
  },
  { name: "sum over axes [0, 2]", op: "sum", inputs: [input(T3)], f: (x) => sum(x, { axis: [0, 2] }) },
  { name: "sum over all axes", op: "sum", inputs: [input(T3)], f: (x) => sum(x) },
  {
    name: "sum over axis -1 with keepDims",
    op: "sum",
    inputs: [input([3, 4])],
    f: (x) => sum(x, { axis: -1, keepDims: true }),
  },
  { name: "mean over axis 1", op: "sum", inputs: [input(T3)], f: (x) => mean(x, { axis: 1 }) },
  {
    name: "max over axis -1 with keepDims",
    op: "max",
    inputs: [input(T3, distinct(0))],
    f: (x) => max(x, { axis: -1, keepDims: true }),
  },
  { name: "max over all axes", op: "max", inputs: [input(T3, distinct(0))], f: (x) => max(x) },
  {
    name: "max over axes [0, 1]",
    op: "max",
    inputs: [input([2, 3, 2], distinct(0))],
    f: (x) => max(x, { axis: [0, 1] }),
  },
  { name: "min over axis 0", op: "min", inputs: [input(T3, distinct(0))], f: (x) => min(x, { axis: 0 }) },
  {
    name: "min over axis -1 with keepDims",
    op: "min",
    inputs: [input([3, 4], distinct(0))],
    f: (x) => min(x, { axis: -1, keepDims: true }),
  },
  { name: "argmax", op: "argmax", inputs: [input([3, 4], distinct(0))], f: (x) => toFloat(argmax(x, -1)) },
  { name: "argmin", op: "argmin", inputs: [input([3, 4], distinct(0))], f: (x) => toFloat(argmin(x, 0)) },
  { name: "softmax along the last axis", op: "softmax", inputs: [input([3, 4])], f: (x) => softmax(x) },
  { name: "softmax along axis 0", op: "softmax", inputs: [input([3, 4])], f: (x) => softmax(x, 0) },
  { name: "logSoftmax along the last axis", op: "logSoftmax", inputs: [input([3, 4])], f: (x) => logSoftmax(x) },
  { name: "logSoftmax along axis 0", op: "logSoftmax", inputs: [input([3, 4])], f: (x) => logSoftmax(x, 0) },
];

const LAYOUT_CASES: VjpCase[] = [
  {
    name: "gather along axis 0 with repeats",
    op: "gather",
    inputs: [input([4, 3])],
    f: (x) => gather(x, int32([3, 0, 3, 1])),
  },
  {
    name: "gather along axis 1 with rank-2 indices",
    op: "gather",
    inputs: [input([3, 4])],
    f: (x) => gather(x, int32([2, 0, 2, 2], [2, 2]), 1),
  },
  {
    name: "scatterAdd along axis 0 with repeats",
    op: "scatterAdd",
    inputs: [input([4, 2])],
    f: (u) => scatterAdd(u, int32([0, 2, 0, 1]), 0, [3, 2]),
  },
  {
    name: "scatterAdd along axis 1",
    op: "scatterAdd",
    inputs: [input([2, 3])],
    f: (u) => scatterAdd(u, int32([1, 1, 3]), 1, [2, 4]),
  },
  {
    name: "oneHot",
    op: "oneHot",
    inputs: [input([5], labels), input([5, 4])],
    f: (x, w) => mul(oneHot(cast(x, "int32"), 4), w),
  },
  { name: "slice", op: "slice", inputs: [input([3, 4])], f: (x) => slice(x, [1, 1], [2, -1]) },
  { name: "slice of rank 3", op: "slice", inputs: [input(T3)], f: (x) => slice(x, [1, 0, 2], [1, 2, 2]) },
  {
    name: "concat along axis 1",
    op: "concat",
    inputs: [input([2, 1]), input([2, 3]), input([2, 2])],
    f: (a, b, c) => concat([a, b, c], 1),
  },
  { name: "concat along axis 0", op: "concat", inputs: [input([1, 3]), input([2, 3])], f: (a, b) => concat([a, b]) },
  { name: "transpose with perm", op: "transpose", inputs: [input(T3)], f: (x) => transpose(x, [1, 2, 0]) },
  { name: "transpose reversing axes", op: "transpose", inputs: [input([3, 4])], f: (x) => transpose(x) },
  { name: "reshape with -1", op: "reshape", inputs: [input(T3)], f: (x) => reshape(x, [4, -1]) },
  { name: "broadcastTo", op: "add", inputs: [input([3, 1])], f: (x) => broadcastTo(x, [2, 3, 4]) },
  {
    name: "clip",
    op: "minimum",
    inputs: [{ shape: [6], values: () => [-0.9, -0.3, 0.2, 0.7, 0.45, -0.6] }],
    f: (x) => clip(x, -0.5, 0.5),
  },
];

const WINDOW_CASES: VjpCase[] = [
  { name: "conv2d", op: "im2col", inputs: [input([2, 2, 5, 4]), input([3, 2, 3, 3])], f: (x, w) => conv2d(x, w) },
  {
    name: "conv2d with padding",
    op: "im2col",
    inputs: [input([1, 2, 4, 4]), input([2, 2, 3, 3])],
    f: (x, w) => conv2d(x, w, { padding: 1 }),
  },
  {
    name: "conv2d with stride 2 on an odd input",
    op: "im2col",
    inputs: [input([1, 2, 5, 5]), input([2, 2, 3, 3])],
    f: (x, w) => conv2d(x, w, { stride: 2, padding: 1 }),
  },
  {
    name: "conv2d with dilation and per-axis options",
    op: "im2col",
    inputs: [input([1, 1, 6, 7]), input([2, 1, 2, 3])],
    f: (x, w) => conv2d(x, w, { stride: [1, 2], padding: [1, 0], dilation: [2, 1] }),
  },
  {
    name: "conv2dTranspose",
    op: "col2im",
    inputs: [input([1, 2, 3, 3]), input([2, 3, 3, 3])],
    f: (x, w) => conv2dTranspose(x, w, { stride: 2, padding: 1, outputPadding: 1 }),
  },
  {
    name: "conv2dTranspose with dilation",
    op: "col2im",
    inputs: [input([1, 1, 4, 3]), input([1, 2, 2, 2])],
    f: (x, w) => conv2dTranspose(x, w, { dilation: 2 }),
  },
  {
    name: "conv2dFilterGradient",
    op: "im2col",
    inputs: [input([1, 2, 5, 5]), input([1, 3, 3, 3])],
    f: (x, dy) => conv2dFilterGradient(x, dy, 3, { stride: 2, padding: 1 }),
  },
  {
    name: "maxPool2d values",
    op: "gatherPool2d",
    inputs: [input([1, 2, 5, 5], distinct(0))],
    f: (x) => maxPool2d(x, { kernelSize: 2 }).values,
  },
  {
    name: "maxPool2d with overlapping windows",
    op: "gatherPool2d",
    inputs: [input([1, 1, 5, 6], distinct(0))],
    f: (x) => maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }).values,
  },
  {
    name: "maxPool2d indices",
    op: "maxPool2dIndices",
    inputs: [input([1, 1, 4, 4], distinct(0))],
    f: (x) => toFloat(maxPool2d(x, { kernelSize: 2 }).indices),
  },
  {
    name: "maxUnpool2d to an odd size",
    op: "maxUnpool2d",
    inputs: [input([1, 2, 2, 2])],
    f: (v) => {
      const pooled = maxPool2d(tensor(distinct(0)(50, 7), [1, 2, 5, 5]), { kernelSize: 2 });
      return maxUnpool2d(v, pooled.indices, [5, 5], { kernelSize: 2 });
    },
  },
  {
    name: "maxUnpool2d with overlapping windows",
    op: "maxUnpool2d",
    inputs: [input([1, 1, 3, 3])],
    f: (v) => {
      const pooled = maxPool2d(tensor(distinct(0)(25, 8), [1, 1, 5, 5]), { kernelSize: 3, stride: 2, padding: 1 });
      return maxUnpool2d(v, pooled.indices, [5, 5], { kernelSize: 3, stride: 2, padding: 1 });
    },
  },
  { name: "avgPool2d", op: "avgPool2d", inputs: [input([2, 1, 5, 4])], f: (x) => avgPool2d(x, { kernelSize: 2 }) },
  {
    name: "avgPool2d with padding and overlap",
    op: "avgPool2d",
    inputs: [input([1, 2, 5, 5])],
    f: (x) => avgPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }),
  },
  {
    name: "avgUnpool2d copying",
    op: "avgUnpool2d",
    inputs: [input([1, 2, 2, 2])],
    f: (v) => avgUnpool2d(v, [5, 5], { kernelSize: 2 }),
  },
  {
    name: "avgUnpool2d dividing, with overlap",
    op: "avgUnpool2d",
    inputs: [input([1, 1, 3, 3])],
    f: (v) => avgUnpool2d(v, [5, 5], { kernelSize: 3, stride: 2, padding: 1, divide: true }),
  },
  { name: "globalAvgPool2d", op: "sum", inputs: [input([2, 3, 3, 2])], f: (x) => globalAvgPool2d(x) },
];

const CASES: readonly VjpCase[] = [
  ...UNARY_CASES,
  ...BINARY_CASES,
  ...COMPARISON_CASES,
  ...CAST_CASES,
  ...MATMUL_CASES,
  ...REDUCTION_CASES,
  ...LAYOUT_CASES,
  ...WINDOW_CASES,
];

/** Names of the ops a fresh tape records while `f` runs on watched `xs`. */
function recordedOps(f: (...xs: Tensor[]) => Tensor, xs: readonly Tensor[]): string[] {
  const tape = new Tape().watch(...xs);
  const names: string[] = [];
  tidy(() =>
    tape.record(() => {
      // Registered after the tape's own listener, so an op's output is already tracked when this runs.
      const stop = addOpListener((op) => {
        if (op.inputs.some((x) => tape.isTracked(x))) names.push(op.name);
      });
      try {
        f(...xs);
      } finally {
        stop();
      }
    }),
  );
  return names;
}

describeOnBackends("VJP rules", (backendTest) => {
  CASES.forEach((vjpCase, index) => {
    backendTest(`${vjpCase.name} matches finite differences`, async () => {
      const xs = vjpCase.inputs.map(({ shape, values }, i) => {
        const size = shape.reduce((p, d) => p * d, 1);
        return tensor(values(size, 100 * index + i), shape);
      });
      const shape = tidy(() => [...vjpCase.f(...xs).shape]);
      const size = shape.reduce((p, d) => p * d, 1);
      const r = tensor(fixture(size, 100 * index + 99), shape);
      const projected = (...args: Tensor[]): Tensor => sum(mul(vjpCase.f(...args), r));

      const result = await checkGradients(projected, xs);

      expect(recordedOps(projected, xs)).toContain(vjpCase.op);
      result.analytic.forEach((analytic, i) => {
        expect(analytic, `gradient of input ${i}`).toBeAllClose(result.numeric[i]!, { rtol: 1e-2, atol: 1e-3 });
      });
    });
  });
});

describe("VJP case table", () => {
  test("covers every registered rule", () => {
    const covered = new Set(CASES.map((vjpCase) => vjpCase.op));

    expect(listVjps().filter((name) => !covered.has(name))).toEqual([]);
  });

  test("names each case once", () => {
    const names = CASES.map((vjpCase) => vjpCase.name);

    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });
});

describe("VJP rules at ties", () => {
  test("max splits the gradient between tied elements", async () => {
    const x = tensor([1, 3, 3, 2]);
    const tape = new Tape().watch(x);
    const y = tape.record(() => max(x));
    const [dx] = tape.gradient(y, [x]);

    expect(await dx!.data()).toBeAllClose([0, 0.5, 0.5, 0]);
  });

  test("min splits the gradient per reduced row", async () => {
    const x = tensor([
      [1, 1, 4],
      [0, 2, 3],
    ]);
    const tape = new Tape().watch(x);
    const y = tape.record(() => min(x, { axis: 1 }));
    const [dx] = tape.gradient(y, [x], { cotangent: tensor([2, 5]) });

    expect(await dx!.array()).toBeAllClose([
      [1, 1, 0],
      [5, 0, 0],
    ]);
  });

  test("maximum sends a tie to the first operand", async () => {
    const a = tensor([1, 2]);
    const b = tensor([1, 3]);
    const tape = new Tape().watch(a, b);
    const y = tape.record(() => sum(maximum(a, b)));
    const [da, db] = tape.gradient(y, [a, b]);

    expect(await da!.data()).toBeAllClose([1, 0]);
    expect(await db!.data()).toBeAllClose([0, 1]);
  });

  test("relu passes no gradient at zero", async () => {
    const x = tensor([-1, 0, 2]);
    const tape = new Tape().watch(x);
    const y = tape.record(() => sum(relu(x)));
    const [dx] = tape.gradient(y, [x]);

    expect(await dx!.data()).toBeAllClose([0, 0, 1]);
  });
});
