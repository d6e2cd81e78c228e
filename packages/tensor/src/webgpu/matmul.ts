/**
 * Tiled matrix product of the webgpu backend. A 16x16 workgroup computes a
 * 64x64 tile of the output. Each step stages a 16-deep slice of A and B in
 * workgroup memory, and each invocation accumulates a 4x4 block in registers
 * (register blocking), so one staged value feeds four multiply-adds.
 *
 * Tile sizes are a common starting point for WebGPU matmul, not tuned on
 * this project's machines.
 */
import type { DType } from "../dtype.js";
import { bindingDecl, PARAMS_BINDING, wgslType } from "./wgsl.js";

export const MATMUL_TILE = 64;
const TILE_K = 16;
const BLOCK = 4;

/**
 * Shader for `[batch, M, N] = A · B`. `params`: [M, N, K]. With the flags, A
 * is stored as [batch, K, M] and B as [batch, N, K]. Workgroup (x, y, z)
 * covers columns x·64, rows y·64 of batch entry z.
 */
export function matmulSource(dtype: DType, transposeA: boolean, transposeB: boolean): string {
  const type = wgslType(dtype);
  const aAt = transposeA ? "p * M * K + k * M + m" : "p * M * K + m * K + k";
  const bAt = transposeB ? "p * K * N + n * K + k" : "p * K * N + k * N + n";
  const loadsPerInvocation = (MATMUL_TILE * TILE_K) / 256;
  return [
    PARAMS_BINDING,
    bindingDecl(1, "a", dtype, false),
    bindingDecl(2, "b", dtype, false),
    bindingDecl(3, "out", dtype, true),
    /* wgsl */ `
var<workgroup> tileA: array<array<${type}, ${MATMUL_TILE}>, ${TILE_K}>;
var<workgroup> tileB: array<array<${type}, ${MATMUL_TILE}>, ${TILE_K}>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = params[0];
  let N = params[1];
  let K = params[2];
  let p = wg.z;
  let rowBase = wg.y * ${MATMUL_TILE}u;
  let colBase = wg.x * ${MATMUL_TILE}u;
  let tid = lid.y * 16u + lid.x;
  var acc: array<array<${type}, ${BLOCK}>, ${BLOCK}>;

  for (var k0 = 0u; k0 < K; k0 += ${TILE_K}u) {
    for (var l = 0u; l < ${loadsPerInvocation}u; l++) {
      let e = tid + l * 256u;
      let kk = e / ${MATMUL_TILE}u;
      let t = e % ${MATMUL_TILE}u;
      let k = k0 + kk;
      let m = rowBase + t;
      let n = colBase + t;
      var av = ${type}(0);
      if (m < M && k < K) { av = a[${aAt}]; }
      tileA[kk][t] = av;
      var bv = ${type}(0);
      if (n < N && k < K) { bv = b[${bAt}]; }
      tileB[kk][t] = bv;
    }
    workgroupBarrier();

    for (var kk = 0u; kk < ${TILE_K}u; kk++) {
      var ar: array<${type}, ${BLOCK}>;
      var br: array<${type}, ${BLOCK}>;
      for (var r = 0u; r < ${BLOCK}u; r++) {
        ar[r] = tileA[kk][lid.y * ${BLOCK}u + r];
        br[r] = tileB[kk][lid.x * ${BLOCK}u + r];
      }
      for (var r = 0u; r < ${BLOCK}u; r++) {
        for (var c = 0u; c < ${BLOCK}u; c++) {
          acc[r][c] += ar[r] * br[c];
        }
      }
    }
    workgroupBarrier();
  }

  for (var r = 0u; r < ${BLOCK}u; r++) {
    let m = rowBase + lid.y * ${BLOCK}u + r;
    for (var c = 0u; c < ${BLOCK}u; c++) {
      let n = colBase + lid.x * ${BLOCK}u + c;
      if (m < M && n < N) { out[p * M * N + m * N + n] = acc[r][c]; }
    }
  }
}`,
  ].join("\n");
}
