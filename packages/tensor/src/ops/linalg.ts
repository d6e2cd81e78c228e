/**
 * Linear algebra for least-squares solves: the Cholesky factorisation with
 * a diagonal jitter, triangular solves, and their composition
 * `choleskySolve`. No op forms an explicit inverse. The ops have no VJP
 * rule, so a tape cannot differentiate through them.
 *
 * Precision: the cpu backend accumulates in float64 and rounds once, and
 * the webgpu backend computes in float32. On both, solving A x = b through
 * `cholesky` and `choleskySolve` leaves a normwise relative residual
 * ‖b − A x‖∞ / (‖A‖∞ ‖x‖∞) below n · 2⁻²⁴ for an n × n symmetric positive
 * definite A, which test/linalg.test.ts checks with n = 1,024. The error in
 * x itself also grows with the condition number of A.
 */
import { DTypeError, InvalidArgumentError, ShapeError } from "../errors.js";
import { formatShape, shapesEqual } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { runOp } from "./run.js";

export interface CholeskyOptions {
  /**
   * Added to every diagonal entry before factoring, so that a positive
   * semi-definite matrix such as a Gram matrix of rank-deficient data still
   * has a factor. Default 0.
   */
  readonly jitter?: number;
}

export interface TriangularSolveOptions {
  /** Solve Lᵀ X = B instead of L X = B. Default false. */
  readonly transpose?: boolean;
}

function assertFloatMatrix(x: Tensor, role: string, opName: string): void {
  if (x.dtype !== "float32") {
    throw new DTypeError(`${opName}: ${role} must be float32, but got ${x.dtype} ${formatShape(x.shape)}.`);
  }
  if (x.rank < 2) {
    throw new ShapeError(
      `${opName}: ${role} must have rank 2 or more ([..., rows, columns]), but got ${formatShape(x.shape)}. ` +
        `Reshape a vector to [n, 1] first.`,
    );
  }
}

function assertSquare(x: Tensor, role: string, opName: string): number {
  const n = x.shape[x.rank - 1]!;
  if (x.shape[x.rank - 2] !== n) {
    throw new ShapeError(`${opName}: ${role} must be square over its last two axes, but got ${formatShape(x.shape)}.`);
  }
  return n;
}

/**
 * Cholesky factor of a symmetric positive definite `a` [..., n, n]: the
 * lower-triangular L [..., n, n] with L Lᵀ = a + jitter·I, zero above the
 * diagonal. Only the lower triangle of `a` is read. The op cannot raise on
 * a matrix that is not positive definite, because a webgpu result is not
 * read back: a pivot ≤ 0 gives NaN on the diagonal, and every entry
 * computed from it is NaN too. Raise `jitter` when that happens.
 */
export function cholesky(a: Tensor, options: CholeskyOptions = {}): Tensor {
  const jitter = options.jitter ?? 0;
  assertFloatMatrix(a, "a", "cholesky");
  assertSquare(a, "a", "cholesky");
  if (!Number.isFinite(jitter) || jitter < 0) {
    throw new InvalidArgumentError(`cholesky: jitter ${jitter} is invalid; it must be a finite number ≥ 0.`);
  }
  return runOp("cholesky", [a], { jitter }, a.shape, "float32", (backend) => backend.cholesky(a, jitter));
}

/**
 * Solve L X = B (or Lᵀ X = B with `transpose`) by substitution, where `l`
 * [..., n, n] is lower triangular, such as a factor from `cholesky`, and
 * `b` is [..., n, k] with the same batch axes. Returns X [..., n, k]. The
 * strict upper triangle of `l` is not read.
 */
export function triangularSolve(l: Tensor, b: Tensor, options: TriangularSolveOptions = {}): Tensor {
  const transpose = options.transpose ?? false;
  assertFloatMatrix(l, "l", "triangularSolve");
  assertFloatMatrix(b, "b", "triangularSolve");
  const n = assertSquare(l, "l", "triangularSolve");
  const batchL = l.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (b.rank !== l.rank || !shapesEqual(batchL, batchB) || b.shape[b.rank - 2] !== n) {
    throw new ShapeError(
      `triangularSolve: b must be [..., ${n}, k] with the batch axes of l ${formatShape(l.shape)}, ` +
        `but got ${formatShape(b.shape)}. Reshape a right-hand-side vector to [${n}, 1].`,
    );
  }
  return runOp("triangularSolve", [l, b], { transpose }, b.shape, "float32", (backend) =>
    backend.triangularSolve(l, b, transpose),
  );
}

/**
 * Solve (L Lᵀ) X = B for X [..., n, k], given the Cholesky factor `l` of a
 * matrix A = L Lᵀ and `b` [..., n, k]: a forward substitution with L, then a
 * back substitution with Lᵀ.
 */
export function choleskySolve(l: Tensor, b: Tensor): Tensor {
  const forward = triangularSolve(l, b);
  const x = triangularSolve(l, forward, { transpose: true });
  forward.dispose();
  return x;
}
