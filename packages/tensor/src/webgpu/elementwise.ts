/**
 * Element-wise ops of the webgpu backend, declared once as data: each op is a
 * WGSL expression per dtype, and one generator turns an expression and the
 * operands' broadcast modes into a shader. Semantics follow the cpu backend:
 * NaN propagates through maximum/minimum, int32 division truncates toward
 * zero and returns 0 for a zero divisor, and `pow` of a negative base needs
 * an integer exponent.
 */
import type { BinaryOp, CompareOp, UnaryOp } from "../backend.js";
import type { DType } from "../dtype.js";
import { type Shape, shapesEqual, sizeOf, stridesOf } from "../shape.js";
import { bindingDecl, MAIN_1D, PARAMS_BINDING, PRELUDE } from "./wgsl.js";

/** A WGSL expression built from operand expressions. */
type Expr1 = (x: string) => string;
type Expr2 = (a: string, b: string) => string;

interface UnaryEntry {
  readonly f32: Expr1;
  /** The int32 expression; without one, the op runs in f32 and truncates back. */
  readonly i32?: Expr1;
}

export const UNARY_WGSL: Record<UnaryOp, UnaryEntry> = {
  neg: { f32: (x) => `-${x}`, i32: (x) => `-${x}` },
  abs: { f32: (x) => `abs(${x})`, i32: (x) => `abs(${x})` },
  sign: { f32: (x) => `sign_f(${x})`, i32: (x) => `sign(${x})` },
  exp: { f32: (x) => `exp_f(${x})` },
  log: { f32: (x) => `log(${x})` },
  log1p: { f32: (x) => `log1p_f(${x})` },
  sqrt: { f32: (x) => `sqrt(${x})` },
  rsqrt: { f32: (x) => `(1.0 / sqrt(${x}))` },
  square: { f32: (x) => `(${x} * ${x})`, i32: (x) => `(${x} * ${x})` },
  reciprocal: { f32: (x) => `(1.0 / ${x})` },
  relu: { f32: (x) => `select(0.0, ${x}, ${x} > 0.0)`, i32: (x) => `max(${x}, 0)` },
  sigmoid: { f32: (x) => `sigmoid_f(${x})` },
  tanh: { f32: (x) => `tanh_f(${x})` },
  floor: { f32: (x) => `floor(${x})`, i32: (x) => x },
  ceil: { f32: (x) => `ceil(${x})`, i32: (x) => x },
  isFinite: { f32: (x) => `select(0, 1, is_finite(${x}))`, i32: () => "1" },
};

interface BinaryEntry {
  readonly f32: Expr2;
  readonly i32: Expr2;
}

export const BINARY_WGSL: Record<BinaryOp, BinaryEntry> = {
  add: { f32: (a, b) => `(${a} + ${b})`, i32: (a, b) => `(${a} + ${b})` },
  sub: { f32: (a, b) => `(${a} - ${b})`, i32: (a, b) => `(${a} - ${b})` },
  mul: { f32: (a, b) => `(${a} * ${b})`, i32: (a, b) => `(${a} * ${b})` },
  div: { f32: (a, b) => `(${a} / ${b})`, i32: (a, b) => `div_i(${a}, ${b})` },
  pow: { f32: (a, b) => `pow_f(${a}, ${b})`, i32: (a, b) => `pow_i(${a}, ${b})` },
  maximum: { f32: (a, b) => `select(${b}, ${a}, ${a} >= ${b} || is_nan(${a}))`, i32: (a, b) => `max(${a}, ${b})` },
  minimum: { f32: (a, b) => `select(${b}, ${a}, ${a} <= ${b} || is_nan(${a}))`, i32: (a, b) => `min(${a}, ${b})` },
};

const COMPARE_OPERATOR: Record<CompareOp, string> = {
  equal: "==",
  notEqual: "!=",
  less: "<",
  lessEqual: "<=",
  greater: ">",
  greaterEqual: ">=",
};

/** Helper functions the table's expressions call. */
const ELEMENTWISE_HELPERS = /* wgsl */ `
// exp(x) = 2^k exp(r) with |r| <= ln(2)/2. Lavapipe's exp(30) is off by 1.2e-6 relative (more than
// float32 rounding); the reduced argument keeps the builtin's error near one ulp. ln 2 is split in two
// parts (Cody and Waite) so that k * ln2_hi is exact.
fn exp_f(x: f32) -> f32 {
  if (!is_finite(x) || abs(x) > 88.0) { return exp(x); }
  let k = round(x * 1.4426950408889634);
  let r = (x - k * 0.693145751953125) - k * 1.4286068202862268e-6;
  return ldexp(exp(r), i32(k));
}
fn sign_f(x: f32) -> f32 { return select(select(0.0, -1.0, x < 0.0), 1.0, x > 0.0); }
fn sigmoid_f(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
// tanh through exp overflows to inf/inf for large |x|; float32 tanh is +-1 beyond |x| = 9.1.
fn tanh_f(x: f32) -> f32 { return select(tanh(x), sign_f(x), abs(x) > 10.0); }
// log(1 + x) with the rounding error of 1 + x compensated (Goldberg's method).
fn log1p_f(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (!is_finite(u)) { return log(u); }
  return log(u) * (x / (u - 1.0));
}
fn pow_f(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return nan_f32(); }
  let magnitude = pow(abs(a), b);
  if (a < 0.0) {
    if (floor(b) != b) { return nan_f32(); }
    let odd = abs(b) < 16777216.0 && (i32(abs(b)) & 1) == 1;
    return select(magnitude, -magnitude, odd);
  }
  return magnitude;
}
fn div_i(a: i32, b: i32) -> i32 { return select(a / b, 0, b == 0); }
fn pow_i(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(1, -1, (b & 1) != 0); }
    return 0;
  }
  var result = 1;
  var base = a;
  var e = b;
  loop {
    if (e == 0) { break; }
    if ((e & 1) != 0) { result = result * base; }
    base = base * base;
    e = e >> 1u;
  }
  return result;
}
// float32 to int32 truncates toward zero; NaN and infinities become 0 as in a JavaScript Int32Array.
// NOTE: finite values outside the int32 range clamp here (WGSL conversion) but wrap modulo 2^32 on cpu.
fn cast_i(x: f32) -> i32 { return select(0, i32(trunc(x)), is_finite(x)); }
`;

/** How an operand maps output index `i` to its own element. */
export type Mode = "same" | "scalar" | "strided";

/** An operand of an element-wise kernel. */
export interface Operand {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** A generated element-wise kernel: shader key, source, and its `params` array. */
export interface ElementwiseKernel {
  readonly key: string;
  /** Build the WGSL source; called only when the pipeline for `key` is not cached yet. */
  readonly source: () => string;
  readonly params: Uint32Array;
  /** Broadcast mode of each operand, in operand order. */
  readonly modes: readonly Mode[];
  /** Index into `params` of the chunk's first output element (0 for a single dispatch). */
  readonly baseParam: number;
}

/**
 * Build the kernel that writes `expression(v0, v1, ...)` to every element of
 * `outShape`, where `vk` is operand k broadcast to `outShape`.
 * `params` is [size, outShape..., strides of operand 0..., ..., base], with
 * a stride of 0 along broadcast axes. A tensor larger than one storage
 * binding runs in chunks, each dispatch binding a range of the output and of
 * every same-shape operand. Then `size` is the chunk's length and `base` its
 * first output index, from which strided operands find their element.
 */
export function elementwiseKernel(
  opKey: string,
  operands: readonly Operand[],
  outShape: Shape,
  outDtype: DType,
  expression: (values: readonly string[]) => string,
): ElementwiseKernel {
  const rank = outShape.length;
  const modes: Mode[] = operands.map((x) => {
    if (shapesEqual(x.shape, outShape)) return "same";
    if (sizeOf(x.shape) === 1) return "scalar";
    return "strided";
  });

  const params: number[] = [sizeOf(outShape), ...outShape];
  for (const x of operands) params.push(...broadcastStridesTo(x.shape, outShape));
  const baseParam = params.length;
  params.push(0);

  const dtypes = operands.map((x) => x.dtype).join(",");
  const key = `ew|${opKey}|${dtypes}|${outDtype}|${rank}|${modes.join(",")}`;
  const source = (): string => elementwiseSource(operands, modes, rank, outDtype, expression);
  return { key, source, params: new Uint32Array(params), modes, baseParam };
}

/** Generate the WGSL of an element-wise kernel; `params` as described at `elementwiseKernel`. */
function elementwiseSource(
  operands: readonly Operand[],
  modes: readonly Mode[],
  rank: number,
  outDtype: DType,
  expression: (values: readonly string[]) => string,
): string {
  const decls = operands.map((x, k) => bindingDecl(k + 1, `in${k}`, x.dtype, false));
  decls.push(bindingDecl(operands.length + 1, "out", outDtype, true));

  const body: string[] = [];
  body.push(`  if (i >= params[0]) { return; }`);
  operands.forEach((_, k) => {
    if (modes[k] === "same") body.push(`  let idx${k} = i;`);
    else if (modes[k] === "scalar") body.push(`  let idx${k} = 0u;`);
    else body.push(`  var idx${k} = 0u;`);
  });
  if (modes.includes("strided")) {
    body.push(`  var rem = i + params[${1 + rank + operands.length * rank}];`);
    for (let axis = rank - 1; axis >= 0; axis--) {
      body.push(`  { let c = rem % params[${1 + axis}]; rem = rem / params[${1 + axis}];`);
      operands.forEach((_, k) => {
        if (modes[k] === "strided") body.push(`    idx${k} += c * params[${1 + rank + k * rank + axis}];`);
      });
      body.push(`  }`);
    }
  }
  const values = operands.map((_, k) => `in${k}[idx${k}]`);
  body.push(`  out[i] = ${expression(values)};`);

  return [PRELUDE, ELEMENTWISE_HELPERS, PARAMS_BINDING, ...decls, MAIN_1D, ...body, "}"].join("\n");
}

/** Strides of `shape` (right-aligned with `outShape`) with 0 along broadcast axes. */
function broadcastStridesTo(shape: Shape, outShape: Shape): number[] {
  const strides = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, axis) => {
    const inAxis = axis - offset;
    if (inAxis < 0 || shape[inAxis] === 1) return 0;
    return strides[inAxis]!;
  });
}

export function unaryExpression(op: UnaryOp, dtype: DType): (v: readonly string[]) => string {
  const entry = UNARY_WGSL[op];
  if (dtype === "float32") return ([x]) => entry.f32(x!);
  const i32 = entry.i32;
  if (i32 !== undefined) return ([x]) => i32(x!);
  return ([x]) => `cast_i(${entry.f32(`f32(${x!})`)})`;
}

export function binaryExpression(op: BinaryOp, dtype: DType): (v: readonly string[]) => string {
  const entry = BINARY_WGSL[op];
  const expr = dtype === "float32" ? entry.f32 : entry.i32;
  return ([a, b]) => expr(a!, b!);
}

export function compareExpression(op: CompareOp, dtype: DType): (v: readonly string[]) => string {
  // Lavapipe compiles float != as an ordered comparison (NaN != NaN is false), so NaN is tested explicitly.
  if (op === "notEqual" && dtype === "float32") {
    return ([a, b]) => `select(0, 1, !(${a!} == ${b!}) || is_nan(${a!}) || is_nan(${b!}))`;
  }
  return ([a, b]) => `select(0, 1, ${a!} ${COMPARE_OPERATOR[op]} ${b!})`;
}

export function whereExpression(conditionDtype: DType): (v: readonly string[]) => string {
  const zero = conditionDtype === "float32" ? "0.0" : "0";
  return ([c, a, b]) => `select(${b!}, ${a!}, ${c!} != ${zero})`;
}

export function castExpression(from: DType, to: DType): (v: readonly string[]) => string {
  if (from === to) return ([x]) => x!;
  if (to === "int32") return ([x]) => `cast_i(${x!})`;
  return ([x]) => `f32(${x!})`;
}
