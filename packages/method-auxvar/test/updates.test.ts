/**
 * The closed-form block updates against brute force: least squares in its
 * kernel and Gram forms, the activation solve, the ReLU proximal step and
 * the output steps of ADMM.
 */
import "@modular/testing";
import { matmul, randomNormal, randomUniform, tensor, type Tensor } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { leastSquaresWeights, outputStep, reluProximal, solveActivations } from "../src/index.js";

const values = (x: Tensor): number[] => Array.from(x.dataSync());

/** Multiply a [m, k] by b [k, n] on the host, in float64. */
function hostProduct(a: readonly number[], b: readonly number[], m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) {
    for (let q = 0; q < k; q++) for (let c = 0; c < n; c++) out[i * n + c]! += a[i * k + q]! * b[q * n + c]!;
  }
  return out;
}

/** Minimise `objective` over [low, high] on a grid, refined around the best point four times. */
function gridMinimum(objective: (z: number) => number, low: number, high: number): number {
  let best = low;
  for (let round = 0; round < 4; round++) {
    const step = (high - low) / 2000;
    for (let z = low; z <= high; z += step) if (objective(z) < objective(best)) best = z;
    [low, high] = [best - 2 * step, best + 2 * step];
  }
  return best;
}

describe("leastSquaresWeights", () => {
  test.each([
    { samples: 8, features: 20, form: "kernel" },
    { samples: 40, features: 6, form: "Gram" },
  ])("$form form matches the normal equations", ({ samples, features }) => {
    const input = randomNormal([samples, features], { seed: 1 });
    const target = randomNormal([samples, 3], { seed: 2 });
    const previous = randomNormal([features, 3], { seed: 3 });
    const ridge = 0.5;

    const w = leastSquaresWeights(input, target, previous, ridge, 0);

    // The gradient of ‖target − input W‖² + ridge ‖W − previous‖², halved, vanishes at the minimiser.
    const x = values(input);
    const error = hostProduct(x, values(w), samples, features, 3).map((p, i) => p - values(target)[i]!);
    const gradient: number[] = [];
    for (let k = 0; k < features; k++) {
      for (let c = 0; c < 3; c++) {
        let fit = 0;
        for (let i = 0; i < samples; i++) fit += x[i * features + k]! * error[i * 3 + c]!;
        gradient.push(fit + ridge * (values(w)[k * 3 + c]! - values(previous)[k * 3 + c]!));
      }
    }
    expect(gradient).toBeAllClose(new Array(features * 3).fill(0), { atol: 1e-3 });
  });

  test("ridge 0 recovers exact weights", () => {
    const input = randomNormal([50, 5], { seed: 4 });
    const truth = randomNormal([5, 2], { seed: 5 });
    const previous = randomNormal([5, 2], { seed: 6 });

    const w = leastSquaresWeights(input, matmul(input, truth), previous, 0, 0);

    expect(values(w)).toBeAllClose(values(truth), { atol: 1e-4 });
  });
});

describe("solveActivations", () => {
  test("normal equations hold", () => {
    const next = randomNormal([4, 3], { seed: 7 });
    const weight = randomNormal([5, 3], { seed: 8 });
    const bias = randomNormal([3], { seed: 9 });
    const target = randomNormal([4, 5], { seed: 10 });
    const previous = randomNormal([4, 5], { seed: 11 });
    const [beta, gamma, alpha] = [2, 0.5, 0.1];

    const a = solveActivations(next, weight, bias, beta, [{ target, weight: gamma }, { target: previous, weight: alpha }], 0);

    // ∂/∂a of β‖next − bias − a W‖² + γ‖a − target‖² + α‖a − previous‖², halved.
    const w = values(weight);
    const av = values(a);
    const gradient: number[] = [];
    for (let i = 0; i < 4; i++) {
      const error = [0, 1, 2].map((c) => {
        let predicted = values(bias)[c]!;
        for (let k = 0; k < 5; k++) predicted += av[i * 5 + k]! * w[k * 3 + c]!;
        return values(next)[i * 3 + c]! - predicted;
      });
      for (let k = 0; k < 5; k++) {
        const back = error.reduce((total, e, c) => total + e * w[k * 3 + c]!, 0);
        const e = i * 5 + k;
        gradient.push(-beta * back + gamma * (av[e]! - values(target)[e]!) + alpha * (av[e]! - values(previous)[e]!));
      }
    }
    expect(gradient).toBeAllClose(new Array(20).fill(0), { atol: 1e-4 });
  });
});

describe("reluProximal", () => {
  test("matches a brute-force minimum", () => {
    const activation = randomUniform([200], { seed: 12, low: -1, high: 2 });
    const center = randomUniform([200], { seed: 13, low: -2, high: 2 });
    const [weightA, weightZ] = [1.5, 0.7];

    const z = values(reluProximal(activation, center, weightA, weightZ));

    const expected = values(activation).map((a, i) => {
      const m = values(center)[i]!;
      return gridMinimum((v) => weightA * (a - Math.max(v, 0)) ** 2 + weightZ * (v - m) ** 2, -4, 4);
    });
    expect(z).toBeAllClose(expected, { atol: 1e-3 });
  });
});

describe("outputStep", () => {
  const targets = tensor([
    [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    [0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
  ]);
  const center = randomUniform([4, 10], { seed: 14, low: -2, high: 2 });
  const multiplier = randomUniform([4, 10], { seed: 15, low: -1, high: 1 });
  const beta = 0.8;

  test.each([
    { loss: "mse", ell: (z: number, y: number) => 0.5 * (z - y) ** 2 },
    { loss: "hinge", ell: (z: number, y: number) => (y === 1 ? Math.max(1 - z, 0) : Math.max(z, 0)) },
  ] as const)("$loss step matches a brute-force minimum", ({ loss, ell }) => {
    const z = values(outputStep(loss, targets, center, multiplier, beta));

    const y = values(targets);
    const expected = values(center).map((m, i) => {
      const lambda = values(multiplier)[i]!;
      return gridMinimum((v) => ell(v, y[i]!) + lambda * v + beta * (v - m) ** 2, -6, 6);
    });
    expect(z).toBeAllClose(expected, { atol: 1e-3 });
  });
});
