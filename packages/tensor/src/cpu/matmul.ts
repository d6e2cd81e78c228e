/**
 * Matrix multiply for the cpu backend, with two float32 paths picked per
 * product by the share of zeros in A.
 *
 * Dense path: a register-blocked kernel over packed panels. Panels of
 * B (KC rows by 4 columns) and of A (4 rows by KC columns) are packed into
 * contiguous scratch arrays, reading transposed operands in place, and a
 * micro-kernel accumulates each 4×4 tile of C in 16 local variables. Every
 * value loaded from A or B then feeds 4 multiply-adds instead of 1, and the
 * tile is written to C once per KC block instead of once per k.
 *
 * Sparse path: an i-k-j loop over blocks of K that skips zero entries of A.
 * On MNIST pixels (81 % zeros) it beats the dense path because it skips
 * single elements, while a skip in the micro-kernel would need all 4 rows of
 * A to be zero at the same k. int32 products also take this path, which
 * wraps integer sums at every step as before.
 *
 * NOTE: the sparse path computes a zero in A times NaN or ±Infinity in B as 0
 * instead of NaN. A non-finite weight still reaches the loss through every
 * non-zero activation, and the runner stops on that loss.
 */
import { allocTypedArray, type DType, type TypedArray } from "../dtype.js";

/**
 * Tile of C held in locals: 4 rows by 4 columns. 4×8 and 2×4 tiles ran 4 % to
 * 12 % slower on the 2-core x86-64 development machine (AMD EPYC, Node.js
 * 20.20.2), in CPU time on the dense products of `scripts/bench-cpu-matmul.mjs`.
 */
const MR = 4;
const NR = 4;

/**
 * Depth of a packed block: 256 k steps. A packed A block (64 rows) then takes
 * 64 KiB and one packed B panel 4 KiB, so the B panel stays in the 32 KiB L1
 * data cache while the micro-kernel sweeps the A block. KC = 128 ran 2 % to
 * 4 % slower in the same comparison.
 */
const KC = 256;
/** Rows of A packed per block. */
const MC = 64;

/**
 * Share of zeros in A from which the sparse path is used. On a 128×784 by
 * 784×256 product with zeros at random positions, the sparse path became the
 * faster one between 60 % and 70 % zeros on the development machine
 * (`scripts/bench-cpu-matmul.mjs`, docs/benchmarks.md).
 */
const SPARSE_ZERO_FRACTION = 0.65;

/** Rows of B kept hot per block of the sparse path; 128 rows of a 256-wide float32 B take 128 KiB. */
const SPARSE_BLOCK_K = 128;

/** Scratch for packed panels, grown on demand and reused across calls (the kernel never runs reentrantly). */
let packedA = new Float32Array(MC * KC);
let packedB = new Float32Array(0);

/** Copy a row-major [rows, cols] matrix into its transpose, [cols, rows]. */
function transposeCopy(src: TypedArray, offset: number, rows: number, cols: number, dtype: DType): TypedArray {
  const out = allocTypedArray(dtype, rows * cols);
  for (let r = 0; r < rows; r++) {
    const rowStart = offset + r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = src[rowStart + c]!;
  }
  return out;
}

/** Fraction of zero elements in a[offset, offset + size); 0 for an empty range. */
function zeroFraction(a: Float32Array, offset: number, size: number): number {
  if (size === 0) return 0;
  let zeros = 0;
  const end = offset + size;
  for (let i = offset; i < end; i++) if (a[i] === 0) zeros++;
  return zeros / size;
}

/** Sparse path: C[M, N] += A[M, K] · B[K, N], all row-major, skipping zero entries of A. */
function gemmSkipZeros(
  a: TypedArray,
  aOffset: number,
  b: TypedArray,
  bOffset: number,
  c: TypedArray,
  cOffset: number,
  m: number,
  n: number,
  k: number,
): void {
  for (let k0 = 0; k0 < k; k0 += SPARSE_BLOCK_K) {
    const kEnd = Math.min(k0 + SPARSE_BLOCK_K, k);
    for (let i = 0; i < m; i++) {
      const cRow = cOffset + i * n;
      const aRow = aOffset + i * k;
      for (let kk = k0; kk < kEnd; kk++) {
        const aik = a[aRow + kk]!;
        if (aik === 0) continue;
        const bRow = bOffset + kk * n;
        let j = 0;
        for (; j + 4 <= n; j += 4) {
          c[cRow + j] = c[cRow + j]! + aik * b[bRow + j]!;
          c[cRow + j + 1] = c[cRow + j + 1]! + aik * b[bRow + j + 1]!;
          c[cRow + j + 2] = c[cRow + j + 2]! + aik * b[bRow + j + 2]!;
          c[cRow + j + 3] = c[cRow + j + 3]! + aik * b[bRow + j + 3]!;
        }
        for (; j < n; j++) c[cRow + j] = c[cRow + j]! + aik * b[bRow + j]!;
      }
    }
  }
}

/** Position and layout of one matrix of an operand: `transposed` means it is stored as the transpose of its logical shape. */
interface Operand {
  readonly data: Float32Array;
  readonly offset: number;
  readonly transposed: boolean;
}

/**
 * Pack rows [k0, k0 + kc) of B (logical [K, N]) into `packedB` as panels of
 * NR columns: panel p stores B[k0 + kk, p·NR + q] at p·kc·NR + kk·NR + q.
 * Columns past N are zero.
 */
function packB(b: Operand, k: number, n: number, k0: number, kc: number): void {
  const panels = Math.ceil(n / NR);
  for (let p = 0; p < panels; p++) {
    const j0 = p * NR;
    const width = Math.min(NR, n - j0);
    const base = p * kc * NR;
    for (let kk = 0; kk < kc; kk++) {
      const out = base + kk * NR;
      // B[kk, j] is at kk·n + j when stored [K, N], and at j·k + kk when stored [N, K].
      const start = b.transposed ? b.offset + j0 * k + k0 + kk : b.offset + (k0 + kk) * n + j0;
      const step = b.transposed ? k : 1;
      for (let q = 0; q < width; q++) packedB[out + q] = b.data[start + q * step]!;
      for (let q = width; q < NR; q++) packedB[out + q] = 0;
    }
  }
}

/**
 * Pack rows [i0, i0 + mc) and columns [k0, k0 + kc) of A (logical [M, K])
 * into `packedA` as panels of MR rows: panel p stores A[i0 + p·MR + r, k0 + kk]
 * at p·kc·MR + kk·MR + r. Rows past the block are zero.
 */
function packA(a: Operand, m: number, k: number, i0: number, mc: number, k0: number, kc: number): void {
  const panels = Math.ceil(mc / MR);
  for (let p = 0; p < panels; p++) {
    const base = p * kc * MR;
    for (let r = 0; r < MR; r++) {
      const row = i0 + p * MR + r;
      if (row >= i0 + mc) {
        for (let kk = 0; kk < kc; kk++) packedA[base + kk * MR + r] = 0;
        continue;
      }
      // A[row, kk] is at row·k + kk when stored [M, K], and at kk·m + row when stored [K, M].
      const start = a.transposed ? a.offset + k0 * m + row : a.offset + row * k + k0;
      const step = a.transposed ? m : 1;
      for (let kk = 0; kk < kc; kk++) packedA[base + kk * MR + r] = a.data[start + kk * step]!;
    }
  }
}

/**
 * C[rows, cols] += packed A panel · packed B panel over `kc` steps, for the
 * tile of C at `cOffset` with row stride `n`. `rows` and `cols` are 4 except
 * at the bottom and right edges of C.
 */
function microKernel(aStart: number, bStart: number, kc: number, c: Float32Array, cOffset: number, n: number, rows: number, cols: number): void {
  const pa = packedA;
  const pb = packedB;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ai = aStart;
  let bi = bStart;
  for (let kk = 0; kk < kc; kk++) {
    const a0 = pa[ai]!, a1 = pa[ai + 1]!, a2 = pa[ai + 2]!, a3 = pa[ai + 3]!;
    const b0 = pb[bi]!, b1 = pb[bi + 1]!, b2 = pb[bi + 2]!, b3 = pb[bi + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    // Literal steps ran about 5 % faster than stepping by MR and NR on Node.js 20.
    ai += 4;
    bi += 4;
  }

  if (rows === MR && cols === NR) {
    let o = cOffset;
    c[o] = c[o]! + c00; c[o + 1] = c[o + 1]! + c01; c[o + 2] = c[o + 2]! + c02; c[o + 3] = c[o + 3]! + c03;
    o += n;
    c[o] = c[o]! + c10; c[o + 1] = c[o + 1]! + c11; c[o + 2] = c[o + 2]! + c12; c[o + 3] = c[o + 3]! + c13;
    o += n;
    c[o] = c[o]! + c20; c[o + 1] = c[o + 1]! + c21; c[o + 2] = c[o + 2]! + c22; c[o + 3] = c[o + 3]! + c23;
    o += n;
    c[o] = c[o]! + c30; c[o + 1] = c[o + 1]! + c31; c[o + 2] = c[o + 2]! + c32; c[o + 3] = c[o + 3]! + c33;
    return;
  }

  // Edge tile: write only the rows and columns inside C.
  const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) c[cOffset + r * n + q] = c[cOffset + r * n + q]! + tile[r * NR + q]!;
  }
}

/** Dense path: C[M, N] += op(A) · op(B), with C row-major at `cOffset`. */
function gemmPacked(a: Operand, b: Operand, c: Float32Array, cOffset: number, m: number, n: number, k: number): void {
  const bPanels = Math.ceil(n / NR);
  if (packedB.length < bPanels * KC * NR) packedB = new Float32Array(bPanels * KC * NR);

  for (let k0 = 0; k0 < k; k0 += KC) {
    const kc = Math.min(KC, k - k0);
    packB(b, k, n, k0, kc);

    for (let i0 = 0; i0 < m; i0 += MC) {
      const mc = Math.min(MC, m - i0);
      packA(a, m, k, i0, mc, k0, kc);
      const aPanels = Math.ceil(mc / MR);

      // Each packed B panel stays in L1 while every A panel of the block passes over it.
      for (let pb = 0; pb < bPanels; pb++) {
        const j0 = pb * NR;
        const cols = Math.min(NR, n - j0);
        for (let pa = 0; pa < aPanels; pa++) {
          const row = i0 + pa * MR;
          const rows = Math.min(MR, m - row);
          microKernel(pa * kc * MR, pb * kc * NR, kc, c, cOffset + row * n + j0, n, rows, cols);
        }
      }
    }
  }
}

/**
 * Batched matrix product. `batch` matrices of A (each [M, K], or [K, M] when
 * `transposeA`) times the matching B (each [K, N], or [N, K] when
 * `transposeB`).
 */
export function matmulKernel(
  a: TypedArray,
  b: TypedArray,
  batch: number,
  m: number,
  n: number,
  k: number,
  transposeA: boolean,
  transposeB: boolean,
  dtype: DType,
): TypedArray {
  const out = allocTypedArray(dtype, batch * m * n);
  for (let p = 0; p < batch; p++) {
    const aOffset = p * m * k;
    const bOffset = p * k * n;
    const cOffset = p * m * n;
    const dense =
      a instanceof Float32Array &&
      b instanceof Float32Array &&
      out instanceof Float32Array &&
      zeroFraction(a, aOffset, m * k) < SPARSE_ZERO_FRACTION;

    if (dense) {
      const aOperand = { data: a as Float32Array, offset: aOffset, transposed: transposeA };
      const bOperand = { data: b as Float32Array, offset: bOffset, transposed: transposeB };
      gemmPacked(aOperand, bOperand, out as Float32Array, cOffset, m, n, k);
      continue;
    }

    const aMat = transposeA ? transposeCopy(a, aOffset, k, m, dtype) : a;
    const bMat = transposeB ? transposeCopy(b, bOffset, n, k, dtype) : b;
    gemmSkipZeros(aMat, transposeA ? 0 : aOffset, bMat, transposeB ? 0 : bOffset, out, cOffset, m, n, k);
  }
  return out;
}
