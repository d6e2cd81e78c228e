/**
 * Conformance: matmul against a naive float64 triple loop, for every
 * combination of transpose flags, batched, and at sizes that cross the cpu
 * backend's blocks (64 rows of A, 128 and 256 rows of K) and leave partial
 * 4×4 tiles. Each product also runs with A mostly zero, which sends the cpu
 * backend down its zero-skipping path.
 */
import { expect } from "vitest";
import { DTypeError, matmul, ShapeError, tensor } from "../src/index.js";
import "@modular/testing";
import { describeConformance, fixture } from "./conformance.js";

interface Product {
  readonly batch: readonly number[];
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

const PRODUCTS: readonly Product[] = [
  { batch: [], m: 1, k: 1, n: 1 },
  { batch: [], m: 7, k: 13, n: 5 },
  { batch: [], m: 130, k: 257, n: 65 },
  { batch: [3], m: 7, k: 13, n: 5 },
  { batch: [2], m: 4, k: 130, n: 3 },
  { batch: [], m: 67, k: 520, n: 9 },
];

const FLAGS = [
  { transposeA: false, transposeB: false },
  { transposeA: true, transposeB: false },
  { transposeA: false, transposeB: true },
  { transposeA: true, transposeB: true },
] as const;

/**
 * C = op(A) op(B) per batch, where A is stored [K, M] when `transposeA`
 * and B is stored [N, K] when `transposeB`.
 */
function referenceMatmul(
  a: readonly number[],
  b: readonly number[],
  { batch, m, k, n }: Product,
  transposeA: boolean,
  transposeB: boolean,
): number[] {
  const batches = batch.reduce((p, d) => p * d, 1);
  const out: number[] = [];
  for (let p = 0; p < batches; p++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let total = 0;
        for (let l = 0; l < k; l++) {
          const aij = a[p * m * k + (transposeA ? l * m + i : i * k + l)]!;
          const bij = b[p * k * n + (transposeB ? j * k + l : l * n + j)]!;
          total += aij * bij;
        }
        out.push(total);
      }
    }
  }
  return out;
}

function describeProduct({ batch, m, k, n }: Product): string {
  return `${batch.length > 0 ? `${batch.join("x")} batches of ` : ""}${m}x${k}x${n}`;
}

/** Zero 4 of every 5 values (80 %), as on MNIST pixels, where 81 % are zero. */
function mostlyZero(values: number[]): number[] {
  return values.map((v, i) => (i % 5 === 2 ? v : 0));
}

describeConformance("matmul", (test) => {
  for (const product of PRODUCTS) {
    for (const { transposeA, transposeB } of FLAGS) {
      for (const sparse of [false, true]) {
        const flags = `transposeA ${transposeA}, transposeB ${transposeB}${sparse ? ", A 80 % zeros" : ""}`;
        test(`${describeProduct(product)}, ${flags}`, async () => {
          const { batch, m, k, n } = product;
          const aShape = [...batch, transposeA ? k : m, transposeA ? m : k];
          const bShape = [...batch, transposeB ? n : k, transposeB ? k : n];
          const batches = batch.reduce((p, d) => p * d, 1);
          const aDense = fixture(batches * m * k, 21);
          const aValues = sparse ? mostlyZero(aDense) : aDense;
          const bValues = fixture(batches * k * n, 22);

          const c = matmul(tensor(aValues, aShape), tensor(bValues, bShape), { transposeA, transposeB });

          expect(c.shape).toEqual([...batch, m, n]);
          expect(await c.data()).toBeAllClose(referenceMatmul(aValues, bValues, product, transposeA, transposeB), {
            rtol: 1e-4,
            atol: 1e-4,
          });
        });
      }
    }
  }

  test("batch of sparse and dense matrices", async () => {
    // Matrix 0 of A is 80 % zeros and matrix 1 is dense, so the cpu backend takes both paths in one call.
    const product = { batch: [2], m: 9, k: 70, n: 11 };
    const aValues = [...mostlyZero(fixture(9 * 70, 31)), ...fixture(9 * 70, 32)];
    const bValues = fixture(2 * 70 * 11, 33);

    const c = matmul(tensor(aValues, [2, 9, 70]), tensor(bValues, [2, 70, 11]));

    expect(await c.data()).toBeAllClose(referenceMatmul(aValues, bValues, product, false, false), { rtol: 1e-4, atol: 1e-4 });
  });

  test("zeros in A do not change the product", async () => {
    const a = tensor([
      [0, 2, 0],
      [0, 0, 0],
    ]);
    const b = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);

    expect(await matmul(a, b).array()).toBeAllClose([
      [6, 8],
      [0, 0],
    ]);
  });

  test("int32 product is exact", async () => {
    const a = tensor(new Int32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    const b = tensor(new Int32Array([7, 8, 9, 10, 11, 12]), [3, 2]);
    const c = matmul(a, b);

    expect(c.dtype).toBe("int32");
    expect(await c.array()).toBeAllClose(
      [
        [58, 64],
        [139, 154],
      ],
      { rtol: 0, atol: 0 },
    );
  });

  test("inner dimension mismatch names both shapes", () => {
    const a = tensor(fixture(6, 1), [2, 3]);
    const b = tensor(fixture(8, 2), [4, 2]);

    expect(() => matmul(a, b)).toThrow(ShapeError);
    expect(() => matmul(a, b)).toThrow(/a \[2, 3\] and b \[4, 2\].*a contributes 3 and b contributes 4/);
  });

  test("transpose flags take part in the shape check", () => {
    const a = tensor(fixture(6, 1), [2, 3]);
    const b = tensor(fixture(6, 2), [2, 3]);

    expect(() => matmul(a, b)).toThrow(ShapeError);
    expect(() => matmul(a, b, { transposeB: true })).not.toThrow();
    expect(() => matmul(a, b, { transposeA: true })).not.toThrow();
    expect(() => matmul(a, b, { transposeA: true, transposeB: true })).toThrow(/\(transposed\)/);
  });

  test("batch axes must be equal", () => {
    const a = tensor(fixture(24, 1), [2, 3, 4]);
    const b = tensor(fixture(60, 2), [3, 4, 5]);

    expect(() => matmul(a, b)).toThrow(/batch axes differ/);
  });

  test("rank below 2 is rejected", () => {
    const v = tensor([1, 2, 3]);
    const m = tensor(fixture(6, 1), [3, 2]);

    expect(() => matmul(v, m)).toThrow(ShapeError);
    expect(() => matmul(v, m)).toThrow(/Reshape a vector to \[1, n\] or \[n, 1\]/);
  });

  test("mixed dtypes are rejected", () => {
    const a = tensor([[1]]);
    const b = tensor(new Int32Array([1]), [1, 1]);

    expect(() => matmul(a, b)).toThrow(DTypeError);
  });
});
