/**
 * Reduction kernels of the webgpu backend: sum/max/min over any set of axes,
 * argmax/argmin along one axis, and softmax along one axis.
 *
 * `reduce` runs one workgroup per output element when the reduced extent is
 * large (a strided loop, then a tree in workgroup memory) and one invocation
 * per output element otherwise. max/min propagate NaN like the cpu backend.
 */
import type { ReduceOp } from "../backend.js";
import type { DType } from "../dtype.js";
import { type Shape, sizeOf, stridesOf } from "../shape.js";
import { bindingDecl, MAIN_1D, PARAMS_BINDING, PRELUDE, WORKGROUP_SIZE, wgslType } from "./wgsl.js";

/**
 * Reduced extent from which a whole workgroup works on one output element.
 * Below it, one invocation per output loops serially. Set by reasoning, not
 * measured: below about one element per invocation the tree step dominates.
 */
const WORKGROUP_REDUCE_THRESHOLD = 256;

export interface ReduceKernel {
  readonly key: string;
  /** Build the WGSL source; called only when the pipeline for `key` is not cached yet. */
  readonly source: () => string;
  readonly params: Uint32Array;
  /** One workgroup per output element (true) or one invocation per output element. */
  readonly perWorkgroup: boolean;
  readonly outSize: number;
}

function identity(op: ReduceOp, dtype: DType): string {
  if (op === "sum") return dtype === "float32" ? "0.0" : "0";
  if (dtype === "int32") return op === "max" ? "(-2147483647 - 1)" : "2147483647";
  return op === "max" ? "-inf_f32()" : "inf_f32()";
}

function combine(op: ReduceOp, dtype: DType, acc: string, v: string): string {
  if (op === "sum") return `${acc} + ${v}`;
  if (dtype === "int32") return `${op}(${acc}, ${v})`;
  const better = op === "max" ? ">" : "<";
  return `select(${acc}, ${v}, ${v} ${better} ${acc} || is_nan(${v}))`;
}

/** Offset code: adds `Σ coord(axis) * stride` of flat index `flat` over `dims` dims read from params. */
function offsetCode(target: string, flat: string, shapeAt: number, stridesAt: number, dims: number): string {
  const lines = [`  { var rem = ${flat};`];
  for (let d = dims - 1; d >= 0; d--) {
    lines.push(`    { let c = rem % params[${shapeAt + d}]; rem = rem / params[${shapeAt + d}];`);
    lines.push(`      ${target} += c * params[${stridesAt + d}]; }`);
  }
  lines.push("  }");
  return lines.join("\n");
}

/**
 * `params`: [outSize, reducedSize, keptShape..., keptStrides..., reducedShape..., reducedStrides...],
 * strides being the input's.
 */
export function reduceKernel(op: ReduceOp, shape: Shape, axes: readonly number[], dtype: DType): ReduceKernel {
  const strides = stridesOf(shape);
  const kept = shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
  const keptShape = kept.map((axis) => shape[axis]!);
  const reducedShape = axes.map((axis) => shape[axis]!);
  const outSize = sizeOf(keptShape);
  const reducedSize = sizeOf(reducedShape);
  const params = new Uint32Array([
    outSize,
    reducedSize,
    ...keptShape,
    ...kept.map((axis) => strides[axis]!),
    ...reducedShape,
    ...axes.map((axis) => strides[axis]!),
  ]);
  const nk = kept.length;
  const nr = axes.length;
  const keptAt = 2;
  const reducedAt = 2 + 2 * nk;
  const type = wgslType(dtype);
  const perWorkgroup = reducedSize >= WORKGROUP_REDUCE_THRESHOLD;

  const decls = [PRELUDE, PARAMS_BINDING, bindingDecl(1, "x", dtype, false), bindingDecl(2, "out", dtype, true)];
  let body: string;
  if (perWorkgroup) {
    body = /* wgsl */ `
var<workgroup> partial: array<${type}, ${WORKGROUP_SIZE}>;
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let o = wg.x + wg.y * groups.x;
  let valid = o < params[0];
  var base = 0u;
${offsetCode("base", "o", keptAt, keptAt + nk, nk)}
  var acc: ${type} = ${identity(op, dtype)};
  if (valid) {
    for (var r = lid; r < params[1]; r += ${WORKGROUP_SIZE}u) {
      var off = base;
${offsetCode("off", "r", reducedAt, reducedAt + nr, nr)}
      let v = x[off];
      acc = ${combine(op, dtype, "acc", "v")};
    }
  }
  partial[lid] = acc;
  workgroupBarrier();
  for (var s = ${WORKGROUP_SIZE / 2}u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      let a = partial[lid];
      let v = partial[lid + s];
      partial[lid] = ${combine(op, dtype, "a", "v")};
    }
    workgroupBarrier();
  }
  if (lid == 0u && valid) { out[o] = partial[0]; }
}`;
  } else {
    body = `${MAIN_1D}
  if (i >= params[0]) { return; }
  var base = 0u;
${offsetCode("base", "i", keptAt, keptAt + nk, nk)}
  var acc: ${type} = ${identity(op, dtype)};
  for (var r = 0u; r < params[1]; r++) {
    var off = base;
${offsetCode("off", "r", reducedAt, reducedAt + nr, nr)}
    let v = x[off];
    acc = ${combine(op, dtype, "acc", "v")};
  }
  out[i] = acc;
}`;
  }
  const key = `reduce|${op}|${dtype}|${nk}|${nr}|${perWorkgroup}`;
  return { key, source: () => [...decls, body].join("\n"), params, perWorkgroup, outSize };
}

/** [outer, length, inner] around `axis`. */
export function splitAroundAxis(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis]!, sizeOf(shape.slice(axis + 1))];
}

/**
 * argmax/argmin, one invocation per output element. `params`: [outSize, length, inner].
 * Ties and NaN behave as in the cpu backend: only a strictly better value moves the index.
 */
export function argReduceSource(op: "argmax" | "argmin", dtype: DType): string {
  const better = op === "argmax" ? ">" : "<";
  return [
    PRELUDE,
    PARAMS_BINDING,
    bindingDecl(1, "x", dtype, false),
    bindingDecl(2, "out", "int32", true),
    `${MAIN_1D}
  if (i >= params[0]) { return; }
  let length = params[1];
  let inner = params[2];
  let base = (i / inner) * length * inner + i % inner;
  var best = x[base];
  var bestIndex = 0u;
  for (var j = 1u; j < length; j++) {
    let v = x[base + j * inner];
    if (v ${better} best) { best = v; bestIndex = j; }
  }
  out[i] = i32(bestIndex);
}`,
  ].join("\n");
}

/** Softmax or log-softmax, one invocation per row along the axis. `params`: [rows, length, inner]. */
export function softmaxSource(log: boolean): string {
  const write = log ? "shifted - logSum" : "exp(shifted) / sum";
  return [
    PRELUDE,
    PARAMS_BINDING,
    bindingDecl(1, "x", "float32", false),
    bindingDecl(2, "out", "float32", true),
    `${MAIN_1D}
  if (i >= params[0]) { return; }
  let length = params[1];
  let inner = params[2];
  let base = (i / inner) * length * inner + i % inner;
  var m = -inf_f32();
  for (var j = 0u; j < length; j++) { m = max(m, x[base + j * inner]); }
  var sum = 0.0;
  for (var j = 0u; j < length; j++) { sum += exp(x[base + j * inner] - m); }
  let logSum = log(sum);
  for (var j = 0u; j < length; j++) {
    let shifted = x[base + j * inner] - m;
    out[base + j * inner] = ${write};
  }
}`,
  ].join("\n");
}
