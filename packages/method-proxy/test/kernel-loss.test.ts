/**
 * The kernel proxy loss on tiny hand-made features. Normalisation divides a
 * row h by √(‖h‖² + 0.1), so tests that need unit-length normalised rows use
 * rows of length 1000, which normalise to unit length within 1e-7.
 */
import { checkGradients, Tape } from "@modular/autodiff";
import { matmul, randomUniform, type Tensor, tensor } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import {
  arccos,
  kernelMatrix,
  type KernelLossOptions,
  kernelProxyLoss,
  normalizeRows,
  sameClassMatrix,
} from "../src/index.js";
import "@modular/testing";

function labels(values: number[]): Tensor {
  return tensor(Int32Array.from(values), [values.length]);
}

/** Rows of length 1000 along the given unit directions. */
function longRows(directions: number[][]): Tensor {
  return tensor(directions.map((row) => row.map((value) => value * 1000)));
}

/** Unit directions with cosines 0.6 (rows 0, 1), 0.8 (rows 0, 2) and 0.96 (rows 1, 2). */
const THREE_DIRECTIONS = [[1, 0], [0.6, 0.8], [0.8, 0.6]];

/** One basis vector per class: classes 0 and 1 twice each, class 2 once. */
const SEPARATED = { directions: [[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]], labels: [0, 0, 1, 1, 2] };

/**
 * The same vectors with classes 0 and 1 mixed. Of the pairs i < j, (0,1) and
 * (2,3) are different-class with kernel 1, and (0,2) and (1,3) are same-class
 * with kernel 0. The other six pairs are different-class with kernel 0. So
 * the different-class mean is 2/8 and the same-class mean of 1 − k is 1.
 */
const MIXED = { directions: SEPARATED.directions, labels: [0, 1, 0, 1, 2] };

/** Compute the "pairwise" loss of an example, with `options` on top. */
function loss(example: { directions: number[][]; labels: number[] }, options: KernelLossOptions = {}): Tensor {
  const rows = longRows(example.directions);
  return kernelProxyLoss(rows, sameClassMatrix(labels(example.labels)), { loss: "pairwise", ...options });
}

describe("normalizeRows", () => {
  test.each([
    ["a long row to unit length", [[300, 400]], [[0.6, 0.8]]],
    ["a row of length √0.1 to length 1/√2", [[Math.sqrt(0.1), 0]], [[Math.SQRT1_2, 0]]],
    ["an all-zero row to zero", [[0, 0]], [[0, 0]]],
  ])("scales %s", (_, rows, expected) => {
    expect(normalizeRows(tensor(rows))).toBeAllClose(expected, { atol: 1e-6 });
  });

  test("flattens [N, C, H, W] features to [N, C·H·W]", () => {
    expect(normalizeRows(randomUniform([3, 2, 2, 2], { seed: 1 })).shape).toEqual([3, 8]);
  });
});

describe("arccos", () => {
  test("is within 1e-4 of Math.acos over [−1, 1]", () => {
    const xs = Array.from({ length: 201 }, (_, i) => -1 + i / 100);
    const values = arccos(tensor(xs)).dataSync();

    xs.forEach((x, i) => expect(Math.abs(values[i]! - Math.acos(x))).toBeLessThan(1e-4));
  });
});

describe("kernelMatrix", () => {
  test("cosine kernel of long rows is their cosine similarity", () => {
    const expected = [[1, 0.6, 0.8], [0.6, 1, 0.96], [0.8, 0.96, 1]];

    expect(kernelMatrix(longRows(THREE_DIRECTIONS), "cosine")).toBeAllClose(expected, { atol: 1e-5 });
  });

  test("cosine kernel equals z zᵀ for unit-length normalised rows", () => {
    const features = randomUniform([6, 5], { seed: 3, low: 100, high: 200 });
    const z = normalizeRows(features);

    expect(kernelMatrix(features)).toBeAllClose(matmul(z, z, { transposeB: true }).arraySync() as number[][], {
      atol: 1e-5,
    });
  });

  test.each([
    // exp(−‖zᵢ − zⱼ‖² / 2σ²) with ‖zᵢ − zⱼ‖² = 2 − 2 cos: 0.8, 0.4 and 0.08.
    [1, [0.67032005, 0.81873075, 0.96078944]],
    [0.5, [0.20189652, 0.44932896, 0.85214379]],
  ])("Gaussian kernel with σ = %s", (sigma, [k01, k02, k12]) => {
    const expected = [[1, k01!, k02!], [k01!, 1, k12!], [k02!, k12!, 1]];

    expect(kernelMatrix(longRows(THREE_DIRECTIONS), "gaussian", sigma)).toBeAllClose(expected, { atol: 1e-5 });
  });

  test("arc-cosine kernel of long rows by hand", () => {
    // k(c) = (√(1 − c²) + (π − arccos c)·c) / π for the cosines 0.6, 0.8 and 0.96.
    const k = (c: number) => (Math.sqrt(1 - c * c) + (Math.PI - Math.acos(c)) * c) / Math.PI;
    const expected = [[1, k(0.6), k(0.8)], [k(0.6), 1, k(0.96)], [k(0.8), k(0.96), 1]];

    expect(kernelMatrix(longRows(THREE_DIRECTIONS), "arccos")).toBeAllClose(expected, { atol: 2e-4 });
  });

  test("arc-cosine kernel is 0 for opposite rows and 1/π for orthogonal ones", () => {
    const rows = longRows([[1, 0], [-1, 0], [0, 1]]);
    const k = kernelMatrix(rows, "arccos").arraySync() as number[][];

    expect(k[0]![1]).toBeCloseTo(0, 3);
    expect(k[0]![2]).toBeCloseTo(1 / Math.PI, 4);
  });

  test("flattens [N, C, H, W] features", () => {
    expect(kernelMatrix(randomUniform([3, 2, 2, 2], { seed: 1 })).shape).toEqual([3, 3]);
  });
});

describe("sameClassMatrix", () => {
  test("is 1 where the labels are equal", () => {
    const expected = [
      [1, 0, 1, 0],
      [0, 1, 0, 0],
      [1, 0, 1, 0],
      [0, 0, 0, 1],
    ];

    expect(sameClassMatrix(labels([0, 1, 0, 2]))).toBeAllClose(expected, { rtol: 0, atol: 0 });
  });
});

describe("kernelProxyLoss pairwise", () => {
  test("is 0 for orthogonal classes with identical same-class vectors", () => {
    expect(loss(SEPARATED)).toBeAllClose(0, { atol: 1e-5 });
  });

  test("is the hand-computed value for mixed classes", () => {
    expect(loss(MIXED)).toBeAllClose(2 / 8 + 1, { atol: 1e-5 });
  });

  test.each([
    [0, 2 / 8],
    [0.5, 2 / 8 + 0.5],
    [2, 2 / 8 + 2],
  ])("weighs the same-class term by sameClassWeight %s", (sameClassWeight, expected) => {
    expect(loss(MIXED, { sameClassWeight })).toBeAllClose(expected, { atol: 1e-5 });
  });

  test("with sameClassWeight 0 ignores same-class spread", () => {
    // Every pair is orthogonal, so only the same-class term is nonzero.
    const spread = { directions: [[1, 0, 0], [0, 1, 0], [0, 0, 1]], labels: [0, 0, 1] };

    expect(loss(spread)).toBeAllClose(1, { atol: 1e-5 });
    expect(loss(spread, { sameClassWeight: 0 })).toBeAllClose(0, { atol: 1e-5 });
  });

  test("is 0 for separated classes under the Gaussian kernel with small σ", () => {
    // Orthogonal unit rows sit at squared distance 2: k = exp(−2 / 2σ²) = e⁻¹⁰⁰ for σ = 0.1.
    expect(loss(SEPARATED, { kernel: "gaussian", sigma: 0.1 })).toBeAllClose(0, { atol: 1e-5 });
  });
});

describe("kernelProxyLoss alignment", () => {
  test("is 0 at the ideal kernel", () => {
    expect(loss(SEPARATED, { loss: "alignment" })).toBeAllClose(0, { atol: 1e-5 });
  });

  test("is 1 when no same-class pair is aligned", () => {
    // Every same-class pair has kernel 0, so the inner product with the ideal kernel is 0.
    expect(loss(MIXED, { loss: "alignment" })).toBeAllClose(1, { atol: 1e-5 });
  });

  test("is 1 for a batch without same-class pairs", () => {
    const rows = longRows([[1, 0], [0.6, 0.8]]);

    expect(kernelProxyLoss(rows, sameClassMatrix(labels([0, 1])), { loss: "alignment" })).toBeAllClose(1, {
      atol: 1e-5,
    });
  });
});

describe("kernelProxyLoss pairs", () => {
  // Labels [0, 0, 1] on THREE_DIRECTIONS. Of the pairs i < j, (0,1) is
  // same-class with k = 0.6, and (0,2) and (1,2) are different-class with
  // k = 0.8 and 0.96. Counting the diagonal (k = 1, same class) changes both
  // losses. Counting both orders of a pair would not, because both losses are
  // means or cosines over a symmetric kernel.
  const features = () => longRows(THREE_DIRECTIONS);
  const same = () => sameClassMatrix(labels([0, 0, 1]));

  test("pairwise counts only pairs i < j", () => {
    // (0.8 + 0.96) / 2 + (1 − 0.6). The full matrix would give 0.88 + 0.16.
    expect(kernelProxyLoss(features(), same(), { loss: "pairwise" })).toBeAllClose(0.88 + 0.4, { atol: 1e-5 });
  });

  test("default loss is alignment", () => {
    const alignment = kernelProxyLoss(features(), same(), { loss: "alignment" });

    expect(kernelProxyLoss(features(), same())).toBeAllClose(alignment.dataSync()[0]!, { atol: 1e-7 });
  });

  test("alignment counts only pairs i < j", () => {
    // 1 − 0.6 / (‖(0.6, 0.8, 0.96)‖ · ‖(1, 0, 0)‖). The full matrix would give 0.282.
    const expected = 1 - 0.6 / Math.sqrt(0.36 + 0.64 + 0.9216);

    expect(kernelProxyLoss(features(), same(), { loss: "alignment" })).toBeAllClose(expected, { atol: 1e-5 });
  });
});

describe("kernelProxyLoss zero row", () => {
  // Row 0 is all zero, as when every ReLU unit is off. Rows 1 and 2 are orthogonal, and all classes differ.
  const withZeroRow = () => tensor([[0, 0], [1000, 0], [0, 1000]]);
  const allDifferent = () => sameClassMatrix(labels([0, 1, 2]));

  test.each(["pairwise", "alignment"] as const)("%s loss and gradient stay finite", (name) => {
    const features = withZeroRow();
    const tape = new Tape().watch(features);
    const value = tape.record(() => kernelProxyLoss(features, allDifferent(), { loss: name }));
    const [gradient] = tape.gradient(value, [features]);

    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Array.from(gradient!.dataSync()).every(Number.isFinite)).toBe(true);
  });

  test("is penalised for different-class pairs", () => {
    // The zero row has kernel 1 − (0 + 1)/2 = 0.5 with each unit row, where an orthogonal unit row would have 0.
    const pairwise = { loss: "pairwise" } as const;
    const zeroRowLoss = kernelProxyLoss(withZeroRow(), allDifferent(), pairwise);
    const orthogonalLoss = kernelProxyLoss(longRows([[0, 0, 1], [1, 0, 0], [0, 1, 0]]), allDifferent(), pairwise);

    expect(zeroRowLoss).toBeAllClose((0.5 + 0.5 + 0) / 3, { atol: 1e-5 });
    expect(orthogonalLoss).toBeAllClose(0, { atol: 1e-5 });
  });
});

describe("kernelProxyLoss input checks", () => {
  test("rejects pairwise labels of the wrong shape", () => {
    const call = () => kernelProxyLoss(tensor([[1, 0], [0, 1], [1, 1]]), sameClassMatrix(labels([0, 1])));

    expect(call).toThrow("kernelProxyLoss: pairwise labels must be [3, 3] for 3 samples, but got [2, 2].");
  });
});

describe("kernelProxyLoss gradient", () => {
  const same = sameClassMatrix(labels([0, 0, 1, 1, 2]));

  test.each([
    ["cosine, pairwise", {}],
    ["cosine, pairwise, sameClassWeight 0", { sameClassWeight: 0 }],
    ["Gaussian σ = 0.7, pairwise", { kernel: "gaussian", sigma: 0.7 }],
    ["cosine, alignment", { loss: "alignment" }],
    ["Gaussian σ = 1, alignment", { kernel: "gaussian", loss: "alignment" }],
    ["arc-cosine, alignment", { kernel: "arccos", loss: "alignment" }],
    ["arc-cosine, pairwise", { kernel: "arccos" }],
  ] as const)("%s matches finite differences", async (_, options) => {
    const features = randomUniform([5, 4], { seed: 11, low: -1, high: 1 });
    const result = await checkGradients((h) => kernelProxyLoss(h, same, options), [features]);

    expect(result.ok, result.worst).toBe(true);
  });

  test("matches finite differences at an all-zero row", async () => {
    const features = tensor([[0, 0, 0], [0.5, -0.2, 0.9], [0.3, 0.8, -0.4], [-0.6, 0.1, 0.2], [0.7, 0.7, 0.1]]);
    const result = await checkGradients((h) => kernelProxyLoss(h, same), [features]);

    expect(result.ok, result.worst).toBe(true);
  });
});
