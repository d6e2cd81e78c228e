/** Matrix product with transpose flags, batched over leading axes. */
import { ShapeError } from "../errors.js";
import { formatShape, shapesEqual } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { assertSameDtype, runOp } from "./run.js";

export interface MatmulOptions {
  /** Read `a` as its transpose over the last two axes. Default false. */
  readonly transposeA?: boolean;
  /** Read `b` as its transpose over the last two axes. Default false. */
  readonly transposeB?: boolean;
}

/**
 * Matrix product over the last two axes: `a` [..., M, K] times `b` [..., K, N]
 * gives [..., M, N]. Leading (batch) axes must be equal. The flags read an
 * operand as its transpose without materialising it for the caller.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transposeA = options.transposeA ?? false;
  const transposeB = options.transposeB ?? false;
  assertSameDtype(a, b, "matmul");
  const describe = (): string =>
    `a ${formatShape(a.shape)}${transposeA ? " (transposed)" : ""} and b ${formatShape(b.shape)}` +
    `${transposeB ? " (transposed)" : ""}`;

  if (a.rank < 2 || b.rank < 2 || a.rank !== b.rank) {
    throw new ShapeError(
      `matmul: operands must both have rank 2 or more and the same rank, but got ${describe()}. ` +
        `Reshape a vector to [1, n] or [n, 1] first.`,
    );
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  if (!shapesEqual(batchA, batchB)) {
    throw new ShapeError(`matmul: batch axes differ for ${describe()}; they must be equal.`);
  }
  const [aRows, aCols] = a.shape.slice(-2) as [number, number];
  const [bRows, bCols] = b.shape.slice(-2) as [number, number];
  const m = transposeA ? aCols : aRows;
  const kA = transposeA ? aRows : aCols;
  const kB = transposeB ? bCols : bRows;
  const n = transposeB ? bRows : bCols;
  if (kA !== kB) {
    throw new ShapeError(
      `matmul: inner dimensions do not match for ${describe()}: a contributes ${kA} and b contributes ${kB}. ` +
        `Check the operand order or the transpose flags.`,
    );
  }
  const outShape = [...batchA, m, n];
  return runOp("matmul", [a, b], { transposeA, transposeB }, outShape, a.dtype, (backend) =>
    backend.matmul(a, b, transposeA, transposeB, outShape),
  );
}
