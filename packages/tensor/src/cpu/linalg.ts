/**
 * Linear-algebra kernels of the cpu backend: the Cholesky factorisation and
 * triangular solves by substitution. Both accumulate in float64 and round
 * the result to float32 once, so the cpu result is the reference the
 * float32 webgpu kernels are compared with.
 */

/** Lower Cholesky factor of each of `batch` matrices [n, n] plus `jitter`·I (see `Backend.cholesky`). */
export function choleskyKernel(a: Float32Array, batch: number, n: number, jitter: number): Float32Array {
  const out = new Float32Array(batch * n * n);
  const factor = new Float64Array(n * n);
  for (let p = 0; p < batch; p++) {
    const base = p * n * n;
    factor.fill(0);

    // Column by column: the pivot, then the entries below it. Row i of the
    // factor is contiguous, so each entry is a dot product of two row prefixes.
    for (let j = 0; j < n; j++) {
      const rowJ = j * n;
      let pivot = a[base + rowJ + j]! + jitter;
      for (let k = 0; k < j; k++) pivot -= factor[rowJ + k]! * factor[rowJ + k]!;
      const diagonal = pivot > 0 ? Math.sqrt(pivot) : Number.NaN;
      factor[rowJ + j] = diagonal;

      for (let i = j + 1; i < n; i++) {
        const rowI = i * n;
        let entry = a[base + rowI + j]!;
        for (let k = 0; k < j; k++) entry -= factor[rowI + k]! * factor[rowJ + k]!;
        factor[rowI + j] = entry / diagonal;
      }
    }
    out.set(factor, base);
  }
  return out;
}

/** Solve L X = B, or Lᵀ X = B with `transpose`, for each of `batch` systems (see `Backend.triangularSolve`). */
export function triangularSolveKernel(
  l: Float32Array,
  b: Float32Array,
  batch: number,
  n: number,
  k: number,
  transpose: boolean,
): Float32Array {
  const out = new Float32Array(batch * n * k);
  const x = new Float64Array(n * k);
  for (let p = 0; p < batch; p++) {
    const lBase = p * n * n;
    const xBase = p * n * k;
    for (let e = 0; e < n * k; e++) x[e] = b[xBase + e]!;

    // Substitution by rows: row r of X is row r of B minus the solved rows
    // it depends on, scaled by the diagonal. L X = B walks down, Lᵀ X = B up.
    for (let step = 0; step < n; step++) {
      const r = transpose ? n - 1 - step : step;
      const rowR = r * k;
      const first = transpose ? r + 1 : 0;
      const last = transpose ? n : r;
      for (let q = first; q < last; q++) {
        const coefficient = transpose ? l[lBase + q * n + r]! : l[lBase + r * n + q]!;
        if (coefficient === 0) continue;
        const rowQ = q * k;
        for (let c = 0; c < k; c++) x[rowR + c]! -= coefficient * x[rowQ + c]!;
      }
      const diagonal = l[lBase + r * n + r]!;
      for (let c = 0; c < k; c++) x[rowR + c]! /= diagonal;
    }
    out.set(x, xBase);
  }
  return out;
}
