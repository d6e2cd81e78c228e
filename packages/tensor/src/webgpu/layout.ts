/**
 * Data-movement and random kernels of the webgpu backend: strided copy
 * (transpose and slice), concat, gather, scatter-add, one-hot, and the
 * Philox4x32-10 draws. Every kernel is 1D: invocation `i` writes output
 * element `i`.
 */
import type { DType } from "../dtype.js";
import { bindingDecl, MAIN_1D, PARAMS_BINDING, PRELUDE } from "./wgsl.js";

function kernel(decls: readonly string[], body: string): string {
  return [PRELUDE, PARAMS_BINDING, ...decls, `${MAIN_1D}\n  if (i >= params[0]) { return; }\n${body}\n}`].join("\n");
}

/**
 * `out[i] = x[base + Σ coord(i, axis) * strides[axis]]` over `rank` output axes.
 * `params`: [size, base, outShape..., strides...].
 */
export function stridedCopySource(dtype: DType, rank: number): string {
  const lines = ["  var rem = i;", "  var off = params[1];"];
  for (let axis = rank - 1; axis >= 0; axis--) {
    lines.push(`  { let c = rem % params[${2 + axis}]; rem = rem / params[${2 + axis}];`);
    lines.push(`    off += c * params[${2 + rank + axis}]; }`);
  }
  lines.push("  out[i] = x[off];");
  return kernel([bindingDecl(1, "x", dtype, false), bindingDecl(2, "out", dtype, true)], lines.join("\n"));
}

/**
 * Copy one concat input into its place in the output, viewed as [outer, chunk].
 * `params`: [size, chunk, outChunk, offset].
 */
export function concatPartSource(dtype: DType): string {
  return kernel(
    [bindingDecl(1, "x", dtype, false), bindingDecl(2, "out", dtype, true)],
    "  out[(i / params[1]) * params[2] + params[3] + i % params[1]] = x[i];",
  );
}

/** `params`: [size, count, length, inner]; x is viewed as [outer, length, inner]. */
export function gatherSource(dtype: DType): string {
  return kernel(
    [bindingDecl(1, "x", dtype, false), bindingDecl(2, "indices", "int32", false), bindingDecl(3, "out", dtype, true)],
    `  let inner = params[3];
  let j = (i / inner) % params[1];
  let o = i / (inner * params[1]);
  out[i] = x[(o * params[2] + u32(indices[j])) * inner + i % inner];`,
  );
}

/**
 * Scatter-add without atomics (WGSL has no float atomics): output element i
 * sums every update whose index hits it, looping over all indices.
 * `params`: [size, count, length, inner].
 */
export function scatterAddSource(dtype: DType): string {
  const zero = dtype === "float32" ? "0.0" : "0";
  return kernel(
    [
      bindingDecl(1, "updates", dtype, false),
      bindingDecl(2, "indices", "int32", false),
      bindingDecl(3, "out", dtype, true),
    ],
    `  let count = params[1];
  let inner = params[3];
  let l = i32((i / inner) % params[2]);
  let o = i / (inner * params[2]);
  let r = i % inner;
  var acc = ${zero};
  for (var j = 0u; j < count; j++) {
    if (indices[j] == l) { acc += updates[(o * count + j) * inner + r]; }
  }
  out[i] = acc;`,
  );
}

/** `params`: [size, depth, bits of onValue, bits of offValue]. */
export function oneHotSource(): string {
  return kernel(
    [bindingDecl(1, "indices", "int32", false), bindingDecl(2, "out", "float32", true)],
    `  let depth = params[1];
  let hit = indices[i / depth] == i32(i % depth);
  out[i] = select(bitcast<f32>(params[3]), bitcast<f32>(params[2]), hit);`,
  );
}

/**
 * Philox4x32-10 with the element mapping of the cpu backend (`random/philox.ts`).
 * Uniform element i is word i mod 4 of block floor(i/4). Normal element i is
 * Box-Muller on words 2(i mod 2) and 2(i mod 2)+1 of block floor(i/2).
 * `params`: [size, key.lo, key.hi].
 */
export function randomSource(distribution: "uniform" | "normal"): string {
  const body =
    distribution === "uniform"
      ? `  let block = philox(i / 4u, params[1], params[2]);
  out[i] = f32(block[i % 4u] >> 8u) * ${2 ** -24};`
      : `  let block = philox(i / 2u, params[1], params[2]);
  let j = (i % 2u) * 2u;
  let u1 = (f32(block[j] >> 8u) + 1.0) * ${2 ** -24};
  let u2 = f32(block[j + 1u] >> 8u) * ${2 ** -24};
  // cos(2πu) = -cos(2πu - π), written so that the argument lies in [-π, π),
  // the only range where WGSL bounds the error of cos (2^-11 absolute).
  out[i] = -sqrt(-2.0 * log(u1)) * cos(${2 * Math.PI} * u2 - ${Math.PI});`;
  return [PHILOX_WGSL, kernel([bindingDecl(1, "out", "float32", true)], body)].join("\n");
}

const PHILOX_WGSL = /* wgsl */ `
// High 32 bits of the 64-bit product, from 16-bit halves (WGSL has no 64-bit integers).
fn mul_hi(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let lo_lo = a_lo * b_lo;
  let hi_lo = a_hi * b_lo;
  let lo_hi = a_lo * b_hi;
  let cross = (lo_lo >> 16u) + (hi_lo & 0xffffu) + (lo_hi & 0xffffu);
  return a_hi * b_hi + (hi_lo >> 16u) + (lo_hi >> 16u) + (cross >> 16u);
}

fn philox(counter: u32, key_lo: u32, key_hi: u32) -> vec4<u32> {
  var c = vec4<u32>(counter, 0u, 0u, 0u);
  var k0 = key_lo;
  var k1 = key_hi;
  for (var r = 0; r < 10; r++) {
    let hi0 = mul_hi(0xd2511f53u, c.x);
    let lo0 = 0xd2511f53u * c.x;
    let hi1 = mul_hi(0xcd9e8d57u, c.z);
    let lo1 = 0xcd9e8d57u * c.z;
    c = vec4<u32>(hi1 ^ c.y ^ k0, lo1, hi0 ^ c.w ^ k1, lo0);
    k0 += 0x9e3779b9u;
    k1 += 0xbb67ae85u;
  }
  return c;
}
`;
