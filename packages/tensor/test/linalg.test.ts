/**
 * Conformance: `cholesky`, `triangularSolve` and `choleskySolve` against
 * float64 references, the jitter, the NaN of a matrix that is not positive
 * definite, and the stated precision of a solve with 1,024 unknowns.
 */
import { expect } from "vitest";
import { cholesky, choleskySolve, DTypeError, InvalidArgumentError, ShapeError, tensor, triangularSolve } from "../src/index.js";
import "@modular/testing";
import { describeConformance, fixture } from "./conformance.js";

/**
 * A symmetric positive definite n × n matrix, rounded to float32:
 * M Mᵀ / n + shift·I for M with entries in [-1, 1]. The eigenvalues of
 * M Mᵀ / n lie in about [0, 4/3], so `shift` sets the condition number.
 */
function spdMatrix(n: number, seed: number, shift: number): Float32Array {
  const m = fixture(n * n, seed);
  const a = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += m[i * n + k]! * m[j * n + k]!;
      const value = dot / n + (i === j ? shift : 0);
      a[i * n + j] = value;
      a[j * n + i] = value;
    }
  }
  return a;
}

/** Float64 Cholesky factor of `a` [n, n], the reference. */
function referenceCholesky(a: ArrayLike<number>, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let pivot = a[j * n + j]!;
    for (let k = 0; k < j; k++) pivot -= l[j * n + k]! ** 2;
    l[j * n + j] = Math.sqrt(pivot);
    for (let i = j + 1; i < n; i++) {
      let entry = a[i * n + j]!;
      for (let k = 0; k < j; k++) entry -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = entry / l[j * n + j]!;
    }
  }
  return l;
}

/** A x for a [n, n] and x [n, k], in float64. */
function product(a: ArrayLike<number>, x: ArrayLike<number>, n: number, k: number): Float64Array {
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < n; q++) {
      const coefficient = a[i * n + q]!;
      for (let c = 0; c < k; c++) out[i * k + c]! += coefficient * x[q * k + c]!;
    }
  }
  return out;
}

/** ‖b − A x‖∞ / (‖A‖∞ ‖x‖∞), in float64. */
function relativeResidual(a: ArrayLike<number>, x: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  const ax = product(a, x, n, 1);
  let residual = 0;
  let normA = 0;
  let normX = 0;
  for (let i = 0; i < n; i++) {
    residual = Math.max(residual, Math.abs(b[i]! - ax[i]!));
    let rowSum = 0;
    for (let q = 0; q < n; q++) rowSum += Math.abs(a[i * n + q]!);
    normA = Math.max(normA, rowSum);
    normX = Math.max(normX, Math.abs(x[i]!));
  }
  return residual / (normA * normX);
}

const LARGE = 1024;
let largeSystem: { a: Float32Array; b: Float32Array } | undefined;

/** The 1,024-unknown system, built once for every backend: condition number about 10³. */
function largeSpdSystem(): { a: Float32Array; b: Float32Array } {
  largeSystem ??= {
    a: spdMatrix(LARGE, 41, 1e-3),
    b: Float32Array.from(fixture(LARGE, 42)),
  };
  return largeSystem;
}

describeConformance("linear algebra", (test) => {
  test("cholesky factor of a 9x9 matrix", async () => {
    const a = spdMatrix(9, 1, 0.1);

    const l = await cholesky(tensor(a, [9, 9])).data();

    expect(l).toBeAllClose(referenceCholesky(a, 9), { rtol: 1e-4, atol: 1e-5 });
  });

  test("cholesky leaves the upper triangle zero", async () => {
    const n = 300;
    const l = await cholesky(tensor(spdMatrix(n, 2, 0.5), [n, n])).data();

    const upper = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) upper.push(l[i * n + j]);
    expect(upper.every((value) => value === 0)).toBe(true);
  });

  test("cholesky of a batch of matrices", async () => {
    const first = spdMatrix(6, 3, 0.2);
    const second = spdMatrix(6, 4, 0.2);
    const a = new Float32Array([...first, ...second]);

    const l = cholesky(tensor(a, [2, 6, 6]));

    expect(l.shape).toEqual([2, 6, 6]);
    expect(await l.data()).toBeAllClose([...referenceCholesky(first, 6), ...referenceCholesky(second, 6)], {
      rtol: 1e-4,
      atol: 1e-5,
    });
  });

  test("cholesky reads only the lower triangle", async () => {
    const a = spdMatrix(5, 5, 0.3);
    const garbage = Float32Array.from(a);
    for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) garbage[i * 5 + j] = 1000;

    const l = await cholesky(tensor(garbage, [5, 5])).data();

    expect(l).toBeAllClose(referenceCholesky(a, 5), { rtol: 1e-4, atol: 1e-5 });
  });

  test("jitter factors a singular Gram matrix", async () => {
    // G = V Vᵀ for V [4, 2] has rank 2, so its factor needs the jitter.
    const v = fixture(8, 6);
    const gram = new Float64Array(16);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) gram[i * 4 + j] = v[i * 2]! * v[j * 2]! + v[i * 2 + 1]! * v[j * 2 + 1]!;
    }
    const shifted = Float64Array.from(gram, (value, e) => (e % 5 === 0 ? value + 0.01 : value));

    const l = await cholesky(tensor(Float32Array.from(gram), [4, 4]), { jitter: 0.01 }).data();

    expect(l.every(Number.isFinite)).toBe(true);
    expect(l).toBeAllClose(referenceCholesky(shifted, 4), { rtol: 1e-3, atol: 1e-4 });
  });

  test("non-positive pivot gives NaN", async () => {
    // Leading 1x1 and 2x2 minors are positive, the 3x3 determinant is negative.
    const a = tensor([
      [1, 0.9, 0.9],
      [0.9, 1, -0.9],
      [0.9, -0.9, 1],
    ]);

    const l = await cholesky(a).data();

    expect(Number.isFinite(l[0]!)).toBe(true);
    expect(Number.isFinite(l[4]!)).toBe(true);
    expect(Number.isNaN(l[8]!)).toBe(true);
  });

  test("triangularSolve with L and with its transpose", async () => {
    const n = 40;
    const k = 3;
    const lower = referenceCholesky(spdMatrix(n, 7, 0.5), n);
    const l = Float32Array.from(lower);
    const upper = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) upper[i * n + j] = l[j * n + i]!;
    const x = fixture(n * k, 8);

    const forward = triangularSolve(tensor(l, [n, n]), tensor(Float32Array.from(product(l, x, n, k)), [n, k]));
    const backward = triangularSolve(tensor(l, [n, n]), tensor(Float32Array.from(product(upper, x, n, k)), [n, k]), {
      transpose: true,
    });

    expect(await forward.data()).toBeAllClose(x, { rtol: 1e-3, atol: 1e-4 });
    expect(await backward.data()).toBeAllClose(x, { rtol: 1e-3, atol: 1e-4 });
  });

  test("choleskySolve on a batch with several right-hand sides", async () => {
    const n = 20;
    const k = 4;
    const matrices = [spdMatrix(n, 9, 0.3), spdMatrix(n, 10, 0.3)];
    const solutions = [fixture(n * k, 11), fixture(n * k, 12)];
    const rhs = matrices.flatMap((a, p) => [...product(a, solutions[p]!, n, k)]);

    const l = cholesky(tensor(new Float32Array([...matrices[0]!, ...matrices[1]!]), [2, n, n]));
    const x = choleskySolve(l, tensor(rhs, [2, n, k]));

    expect(x.shape).toEqual([2, n, k]);
    expect(await x.data()).toBeAllClose(solutions.flat(), { rtol: 1e-3, atol: 1e-3 });
  });

  test("1,024-unknown solve meets the residual bound", async () => {
    const { a, b } = largeSpdSystem();

    const l = cholesky(tensor(a, [LARGE, LARGE]));
    const x = await choleskySolve(l, tensor(b, [LARGE, 1])).data();

    // The bound that src/ops/linalg.ts states: n · 2⁻²⁴, about 6.1e-5 for n = 1,024.
    expect(x.every(Number.isFinite)).toBe(true);
    expect(relativeResidual(a, x, b, LARGE)).toBeLessThan(LARGE * 2 ** -24);
  });

  test("rejects invalid arguments", () => {
    const a = tensor(spdMatrix(3, 13, 0.5), [3, 3]);

    expect(() => cholesky(tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => cholesky(tensor(fixture(6, 1), [2, 3]))).toThrow(/must be square.*\[2, 3\]/);
    expect(() => cholesky(tensor(new Int32Array(4), [2, 2]))).toThrow(DTypeError);
    expect(() => cholesky(a, { jitter: -1 })).toThrow(InvalidArgumentError);
    expect(() => cholesky(a, { jitter: Number.NaN })).toThrow(/jitter NaN is invalid/);
    expect(() => triangularSolve(a, tensor(fixture(4, 1), [4, 1]))).toThrow(/b must be \[\.\.\., 3, k\]/);
    expect(() => triangularSolve(a, tensor(fixture(3, 1), [1, 3, 1]))).toThrow(ShapeError);
  });
});
