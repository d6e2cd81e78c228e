/**
 * Linear-algebra kernels of the webgpu backend: the Cholesky factorisation
 * and triangular solves, in float32.
 *
 * Cholesky runs one workgroup per matrix. The columns are sequential: one
 * invocation computes the pivot of column j, a barrier publishes it, and
 * then the workgroup's invocations compute the entries below it, one row
 * each. Triangular solves run one invocation per right-hand-side column.
 * Both are simple rather than fast: a solve is O(n²) work per column done
 * by one invocation. The auxiliary-variable methods factor matrices of a
 * few hundred rows, where this is cheap next to the matmuls around them.
 */
import { bindingDecl, MAIN_1D, PARAMS_BINDING, PRELUDE } from "./wgsl.js";

/** Invocations of the Cholesky workgroup, the WebGPU default `maxComputeInvocationsPerWorkgroup`; not tuned. */
export const CHOLESKY_WORKGROUP_SIZE = 256;

/**
 * One workgroup per matrix, `workgroup_id.x + workgroup_id.y * groups.x` the
 * batch index. `params`: [n, batch, bits of jitter].
 */
export function choleskySource(): string {
  const size = CHOLESKY_WORKGROUP_SIZE;
  return /* wgsl */ `${PRELUDE}
${PARAMS_BINDING}
${bindingDecl(1, "a", "float32", false)}
${bindingDecl(2, "l", "float32", true)}
var<workgroup> pivot: f32;

@compute @workgroup_size(${size})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let n = params[0];
  let matrix = wid.x + wid.y * groups.x;
  // Every invocation of a workgroup takes this branch or none does, so the barriers below stay uniform.
  if (matrix >= params[1]) { return; }
  let base = matrix * n * n;
  let jitter = bitcast<f32>(params[2]);
  let t = lid.x;

  for (var e = t; e < n * n; e += ${size}u) {
    if (e % n > e / n) { l[base + e] = 0.0; }
  }

  for (var j = 0u; j < n; j++) {
    let row_j = base + j * n;
    if (t == 0u) {
      var s = a[row_j + j] + jitter;
      for (var k = 0u; k < j; k++) { let v = l[row_j + k]; s -= v * v; }
      var d = nan_f32();
      if (s > 0.0) { d = sqrt(s); }
      l[row_j + j] = d;
      pivot = d;
    }
    storageBarrier();
    workgroupBarrier();
    let d = pivot;
    for (var i = j + 1u + t; i < n; i += ${size}u) {
      let row_i = base + i * n;
      var s = a[row_i + j];
      for (var k = 0u; k < j; k++) { s -= l[row_i + k] * l[row_j + k]; }
      l[row_i + j] = s / d;
    }
    storageBarrier();
    workgroupBarrier();
  }
}
`;
}

/**
 * One invocation per (matrix, right-hand-side column): substitution down
 * the rows of L X = B, or up the rows of Lᵀ X = B. `params`: [batch * k, n, k].
 */
export function triangularSolveSource(transpose: boolean): string {
  const rows = transpose
    ? `  for (var step = 0u; step < n; step++) {
    let r = n - 1u - step;
    var s = b[x_base + r * k + c];
    for (var q = r + 1u; q < n; q++) { s -= l[l_base + q * n + r] * x[x_base + q * k + c]; }
    x[x_base + r * k + c] = s / l[l_base + r * n + r];
  }`
    : `  for (var r = 0u; r < n; r++) {
    var s = b[x_base + r * k + c];
    for (var q = 0u; q < r; q++) { s -= l[l_base + r * n + q] * x[x_base + q * k + c]; }
    x[x_base + r * k + c] = s / l[l_base + r * n + r];
  }`;
  return [
    PRELUDE,
    PARAMS_BINDING,
    bindingDecl(1, "l", "float32", false),
    bindingDecl(2, "b", "float32", false),
    bindingDecl(3, "x", "float32", true),
    `${MAIN_1D}
  if (i >= params[0]) { return; }
  let n = params[1];
  let k = params[2];
  let matrix = i / k;
  let c = i % k;
  let l_base = matrix * n * n;
  let x_base = matrix * n * k;
${rows}
}`,
  ].join("\n");
}
