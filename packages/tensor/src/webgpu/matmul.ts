/**
 * Tiled matrix product of the webgpu backend. A workgroup of 16 × Y
 * invocations computes a tile of the output. Each step stages a 16-deep
 * slice of A and B in workgroup memory, and each invocation accumulates a
 * block of rows × columns in registers (register blocking), so one staged
 * value feeds several multiply-adds.
 *
 * An invocation's rows are adjacent (rows lid.y·R to lid.y·R + R − 1) and its
 * columns are strided by 16 (columns lid.x + 16·c). Drivers that run
 * neighbouring invocations in SIMD lanes, such as Mesa's lavapipe, then read
 * B values from adjacent addresses. Tuned with `modular bench kernels` on
 * lavapipe (Mesa 25.0.7, LLVM 15, 2 x86-64 cores shared with other jobs):
 * docs/benchmarks.md has the figures before and after. Not tuned on a
 * hardware GPU.
 */
import type { DType } from "../dtype.js";
import { bindingDecl, PARAMS_BINDING, wgslType } from "./wgsl.js";

/** Invocations per workgroup along x (columns). */
const WORKGROUP_X = 16;
/** Depth of the K slice staged in workgroup memory per step. */
const TILE_K = 16;

/** Register block of one invocation, workgroup shape, and the output tile of one workgroup. */
export interface MatmulTiling {
  /** Rows per invocation. */
  readonly rows: number;
  /** Columns per invocation. */
  readonly cols: number;
  /** Invocations per workgroup along y. Along x there are always 16. */
  readonly workgroupY: number;
  /** Output rows per workgroup: workgroupY · rows. */
  readonly tileM: number;
  /** Output columns per workgroup: 16 · cols. */
  readonly tileN: number;
}

function tiling(rows: number, cols: number, workgroupY: number): MatmulTiling {
  return { rows, cols, workgroupY, tileM: workgroupY * rows, tileN: WORKGROUP_X * cols };
}

/**
 * Choose the tiling for an M×N output. Outputs of at least 128×128 get
 * blocks of 16 rows × 8 columns on workgroups of 16 × 8 invocations (128×128
 * tiles, 16 KiB of workgroup memory, the WebGPU default limit), which need
 * the fewest loads per multiply-add. Smaller ones get 4×4 blocks on
 * workgroups of 16 × 16, and outputs at most 16 columns wide (a classifier's
 * logits) get one column per invocation, which wastes no work on columns
 * past N. NOTE: on a large GPU,
 * 128×128 tiles leave most cores idle for outputs below about 1024×1024. The
 * threshold suits lavapipe, where 2 CPU threads run the workgroups.
 */
export function chooseMatmulTiling(m: number, n: number): MatmulTiling {
  if (n <= WORKGROUP_X) return tiling(4, 1, 16);
  return m >= 128 && n >= 128 ? tiling(16, 8, 8) : tiling(4, 4, 16);
}

/** One operand of the product, as the staging loop reads it. */
interface Operand {
  /** Binding and workgroup-memory array names, e.g. "a" and "tileA". */
  readonly binding: string;
  readonly tile: string;
  /** Rows of the staged slice: tileM for A, tileN for B. */
  readonly tileRows: number;
  /** The output coordinate the slice runs along ("m" or "n"), its tile origin and its bound. */
  readonly coordinate: "m" | "n";
  readonly origin: "rowBase" | "colBase";
  readonly limit: "M" | "N";
  /** WGSL index of element (coordinate, k) in the binding. */
  readonly index: string;
  /** True when k is the contiguous axis in memory. */
  readonly kContiguous: boolean;
}

/** Generate the loop that stages the tileRows×TILE_K slice of one operand, with adjacent invocations reading adjacent addresses. */
function stagingLoop(operand: Operand, invocations: number): string {
  const { binding, tile, tileRows, coordinate, origin, limit, index } = operand;
  const split = operand.kContiguous
    ? `let kk = e % ${TILE_K}u; let t = e / ${TILE_K}u;`
    : `let t = e % ${tileRows}u; let kk = e / ${tileRows}u;`;
  return `
    for (var e = tid; e < ${tileRows * TILE_K}u; e += ${invocations}u) {
      ${split}
      let k = k0 + kk;
      let ${coordinate} = ${origin} + t;
      var v = ZERO;
      if (${coordinate} < ${limit} && k < K) { v = ${binding}[${index}]; }
      ${tile}[kk][t] = v;
    }`;
}

/**
 * Shader for `[batch, M, N] = A · B`. `params`: [M, N, K]. With the flags, A
 * is stored as [batch, K, M] and B as [batch, N, K]. Workgroup (x, y, z)
 * covers columns x·tileN, rows y·tileM of batch entry z.
 */
export function matmulSource(dtype: DType, transposeA: boolean, transposeB: boolean, tile: MatmulTiling): string {
  const type = wgslType(dtype);
  const { rows, cols, workgroupY, tileM, tileN } = tile;
  const invocations = WORKGROUP_X * workgroupY;
  const aAt = transposeA ? "p * M * K + k * M + m" : "p * M * K + m * K + k";
  const bAt = transposeB ? "p * K * N + n * K + k" : "p * K * N + k * N + n";
  const multiplyAdd = (acc: string, a: string, b: string): string =>
    dtype === "float32" ? `${acc} = fma(${a}, ${b}, ${acc});` : `${acc} += ${a} * ${b};`;

  const stagingA = stagingLoop({
    binding: "a",
    tile: "tileA",
    tileRows: tileM,
    coordinate: "m",
    origin: "rowBase",
    limit: "M",
    index: aAt,
    kContiguous: !transposeA,
  }, invocations);
  const stagingB = stagingLoop({
    binding: "b",
    tile: "tileB",
    tileRows: tileN,
    coordinate: "n",
    origin: "colBase",
    limit: "N",
    index: bAt,
    kContiguous: transposeB,
  }, invocations);

  const accumulators: string[] = [];
  const loads: string[] = [];
  const updates: string[] = [];
  const stores: string[] = [];
  for (let r = 0; r < rows; r++) loads.push(`let a${r} = tileA[kk][lid.y * ${rows}u + ${r}u];`);
  for (let c = 0; c < cols; c++) loads.push(`let b${c} = tileB[kk][lid.x + ${WORKGROUP_X * c}u];`);
  for (let r = 0; r < rows; r++) {
    stores.push(`{ let m = rowBase + lid.y * ${rows}u + ${r}u;`);
    for (let c = 0; c < cols; c++) {
      accumulators.push(`var acc${r}_${c} = ZERO;`);
      updates.push(multiplyAdd(`acc${r}_${c}`, `a${r}`, `b${c}`));
      stores.push(`  { let n = colBase + lid.x + ${WORKGROUP_X * c}u; if (m < M && n < N) { out[p * M * N + m * N + n] = acc${r}_${c}; } }`);
    }
    stores.push("}");
  }

  return [
    PARAMS_BINDING,
    bindingDecl(1, "a", dtype, false),
    bindingDecl(2, "b", dtype, false),
    bindingDecl(3, "out", dtype, true),
    /* wgsl */ `
const ZERO = ${type}(0);
var<workgroup> tileA: array<array<${type}, ${tileM}>, ${TILE_K}>;
var<workgroup> tileB: array<array<${type}, ${tileN}>, ${TILE_K}>;

@compute @workgroup_size(${WORKGROUP_X}, ${workgroupY})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = params[0];
  let N = params[1];
  let K = params[2];
  let p = wg.z;
  let rowBase = wg.y * ${tileM}u;
  let colBase = wg.x * ${tileN}u;
  let tid = lid.y * ${WORKGROUP_X}u + lid.x;
  ${accumulators.join("\n  ")}

  for (var k0 = 0u; k0 < K; k0 += ${TILE_K}u) {${stagingA}${stagingB}
    workgroupBarrier();

    for (var kk = 0u; kk < ${TILE_K}u; kk++) {
      ${loads.join("\n      ")}
      ${updates.join("\n      ")}
    }
    workgroupBarrier();
  }

  ${stores.join("\n  ")}
}`,
  ].join("\n");
}
