/**
 * Element-wise ops: unary math, broadcast arithmetic, comparisons, `where`
 * and `cast`. A plain number operand becomes a scalar tensor of the other
 * operand's dtype, owned by the enclosing `tidy` scope.
 */
import type { BinaryOp, CompareOp, UnaryOp } from "../backend.js";
import type { DType } from "../dtype.js";
import { DTypeError } from "../errors.js";
import { broadcastShapes, formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { assertFloat, assertSameDtype, backendOf, runOp } from "./run.js";

/** Ops that only make sense on float32. `neg`, `abs`, `sign`, `square` and `relu` accept int32 too. */
const FLOAT_ONLY = new Set<UnaryOp>([
  "exp",
  "log",
  "log1p",
  "sqrt",
  "rsqrt",
  "reciprocal",
  "sigmoid",
  "tanh",
  "floor",
  "ceil",
  "isFinite",
]);

function unary(op: UnaryOp, x: Tensor): Tensor {
  if (FLOAT_ONLY.has(op)) assertFloat(x, op);
  const dtype: DType = op === "isFinite" ? "int32" : x.dtype;
  return runOp(op, [x], {}, x.shape, dtype, (backend) => backend.unary(op, x));
}

export const neg = (x: Tensor): Tensor => unary("neg", x);
export const abs = (x: Tensor): Tensor => unary("abs", x);
export const sign = (x: Tensor): Tensor => unary("sign", x);
export const exp = (x: Tensor): Tensor => unary("exp", x);
export const log = (x: Tensor): Tensor => unary("log", x);
export const log1p = (x: Tensor): Tensor => unary("log1p", x);
export const sqrt = (x: Tensor): Tensor => unary("sqrt", x);
export const rsqrt = (x: Tensor): Tensor => unary("rsqrt", x);
export const square = (x: Tensor): Tensor => unary("square", x);
export const reciprocal = (x: Tensor): Tensor => unary("reciprocal", x);
export const relu = (x: Tensor): Tensor => unary("relu", x);
export const sigmoid = (x: Tensor): Tensor => unary("sigmoid", x);
export const tanh = (x: Tensor): Tensor => unary("tanh", x);
export const floor = (x: Tensor): Tensor => unary("floor", x);
export const ceil = (x: Tensor): Tensor => unary("ceil", x);
/** 1 where the element is finite, 0 for NaN and ±Infinity; int32. */
export const isFinite = (x: Tensor): Tensor => unary("isFinite", x);

/** Turn a number operand into a scalar tensor on `like`'s backend and dtype. */
function asTensor(value: Tensor | number, like: Tensor): Tensor {
  if (value instanceof Tensor) return value;
  const backend = backendOf([like], "scalar operand");
  return new Tensor(backend.fill(1, value, like.dtype), [], like.dtype, backend);
}

function binaryOperands(a: Tensor | number, b: Tensor | number, op: string): [Tensor, Tensor] {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new DTypeError(`${op}: at least one operand must be a tensor, but got two numbers.`);
  }
  const ta = a instanceof Tensor ? a : asTensor(a, b as Tensor);
  const tb = asTensor(b, ta);
  return [ta, tb];
}

function binary(op: BinaryOp, a: Tensor | number, b: Tensor | number): Tensor {
  const [ta, tb] = binaryOperands(a, b, op);
  assertSameDtype(ta, tb, op);
  if (op === "pow") assertFloat(ta, op);
  const outShape = broadcastShapes(ta.shape, tb.shape, op);
  return runOp(op, [ta, tb], {}, outShape, ta.dtype, (backend) => backend.binary(op, ta, tb, outShape));
}

export const add = (a: Tensor | number, b: Tensor | number): Tensor => binary("add", a, b);
export const sub = (a: Tensor | number, b: Tensor | number): Tensor => binary("sub", a, b);
export const mul = (a: Tensor | number, b: Tensor | number): Tensor => binary("mul", a, b);
/** Division; on int32 it truncates toward zero. */
export const div = (a: Tensor | number, b: Tensor | number): Tensor => binary("div", a, b);
export const pow = (a: Tensor | number, b: Tensor | number): Tensor => binary("pow", a, b);
export const maximum = (a: Tensor | number, b: Tensor | number): Tensor => binary("maximum", a, b);
export const minimum = (a: Tensor | number, b: Tensor | number): Tensor => binary("minimum", a, b);

function compare(op: CompareOp, a: Tensor | number, b: Tensor | number): Tensor {
  const [ta, tb] = binaryOperands(a, b, op);
  assertSameDtype(ta, tb, op);
  const outShape = broadcastShapes(ta.shape, tb.shape, op);
  return runOp(op, [ta, tb], {}, outShape, "int32", (backend) => backend.compare(op, ta, tb, outShape));
}

/** Comparisons return int32 tensors of 0 and 1. */
export const equal = (a: Tensor | number, b: Tensor | number): Tensor => compare("equal", a, b);
export const notEqual = (a: Tensor | number, b: Tensor | number): Tensor => compare("notEqual", a, b);
export const less = (a: Tensor | number, b: Tensor | number): Tensor => compare("less", a, b);
export const lessEqual = (a: Tensor | number, b: Tensor | number): Tensor => compare("lessEqual", a, b);
export const greater = (a: Tensor | number, b: Tensor | number): Tensor => compare("greater", a, b);
export const greaterEqual = (a: Tensor | number, b: Tensor | number): Tensor => compare("greaterEqual", a, b);

/** Elements of `a` where `condition` is non-zero, else of `b`; all three broadcast together. */
export function where(condition: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  if (condition.dtype !== "int32") {
    throw new DTypeError(
      `where: condition must be int32 (as returned by comparisons), but got ${condition.dtype} ` +
        `${formatShape(condition.shape)}.`,
    );
  }
  const [ta, tb] = binaryOperands(a, b, "where");
  assertSameDtype(ta, tb, "where");
  const outShape = broadcastShapes(condition.shape, broadcastShapes(ta.shape, tb.shape, "where"), "where");
  return runOp("where", [condition, ta, tb], {}, outShape, ta.dtype, (backend) =>
    backend.where(condition, ta, tb, outShape),
  );
}

/** Convert to `dtype`; float32 to int32 truncates toward zero. */
export function cast(x: Tensor, dtype: DType): Tensor {
  return runOp("cast", [x], { dtype }, x.shape, dtype, (backend) => backend.cast(x, dtype));
}

/** Clamp every element into [low, high]. */
export function clip(x: Tensor, low: number, high: number): Tensor {
  return minimum(maximum(x, low), high);
}
