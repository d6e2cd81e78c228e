/**
 * `auxvar/bcd`: proximal block coordinate descent of Zeng, Lau, Lin and
 * Yao, "Global convergence of block coordinate descent in deep learning",
 * ICML 2019.
 *
 * With auxiliary pre-activations U_l and activations V_l it minimises
 * ½‖V_L − Y‖² + (γ/2) Σ_{l<L} (‖V_l − relu(U_l)‖² + ‖U_l − W_l V_{l−1}‖²) + (γ/2)‖V_L − W_L V_{L−1}‖²
 * one block at a time, from the output down: V_L, W_L, then for each hidden
 * layer V_l, U_l and W_l. Every update adds a proximal term (α/2)‖· − ·_previous‖²
 * toward the block's value before the update. Each has a closed form: an
 * average for V_L, a linear solve for V_l, the element-wise ReLU proximal
 * step for U_l, and least squares for W_l.
 *
 * NOTE: Zeng et al. sweep over the whole training set. Here the auxiliary
 * variables belong to one batch, and each step starts them from the forward
 * pass. The weight proximal term is ρ‖W̃ − W̃_previous‖² next to the mean
 * squared fit (1/B)‖U − [V, 1] W̃‖², so its weight does not grow with the batch.
 */
import type { TrainingContext, TrainingMethod } from "@modular/nn";
import { add, matmul, mean, mul, relu, scalar, square, sub, sum, type Tensor, tidy } from "@modular/tensor";
import { biasPart, weightPart } from "./chain.js";
import { checkOption } from "./options.js";
import { auxvarMethod, type BatchProblem, layerInput, type Scheme } from "./phase.js";
import { leastSquaresWeights, reluProximal, solveActivations } from "./updates.js";

export interface BcdOptions {
  /** γ, the weight of the splitting terms. Default 1. */
  readonly gamma?: number;
  /** α, the weight of the proximal term of every auxiliary-variable update. Default 0.1. */
  readonly proximal?: number;
  /** ρ, the weight of the proximal term of every weight update, next to the mean squared fit. Default 0.1. */
  readonly weightProximal?: number;
  /** Sweeps over all blocks per batch. Default 1: one backward sweep already carries the output's change to the first layer. */
  readonly iterations?: number;
  /** Added to the diagonal of every factored matrix. Default 1e-4. */
  readonly jitter?: number;
  /** Steps between alignment measurements against the true backprop gradient; 0 turns them off. Default 20. */
  readonly alignmentEvery?: number;
}

interface BcdSettings {
  readonly gamma: number;
  readonly proximal: number;
  readonly weightProximal: number;
  readonly iterations: number;
  readonly jitter: number;
}

/** `auxvar/bcd`: proximal block coordinate descent (Zeng et al. 2019). */
export function bcd(options: BcdOptions = {}): TrainingMethod {
  const name = "auxvar/bcd";
  const settings: BcdSettings = {
    gamma: options.gamma ?? 1,
    proximal: options.proximal ?? 0.1,
    weightProximal: options.weightProximal ?? 0.1,
    iterations: options.iterations ?? 1,
    jitter: options.jitter ?? 1e-4,
  };
  const alignmentEvery = options.alignmentEvery ?? 20;
  checkOption(name, "gamma", settings.gamma, { min: 0, strict: true });
  checkOption(name, "proximal", settings.proximal, { min: 0 });
  checkOption(name, "weightProximal", settings.weightProximal, { min: 0 });
  checkOption(name, "iterations", settings.iterations, { min: 1, integer: true });
  checkOption(name, "jitter", settings.jitter, { min: 0 });
  checkOption(name, "alignmentEvery", alignmentEvery, { min: 0, integer: true });

  return auxvarMethod(
    name,
    (_context: TrainingContext): Scheme => ({
      label: `all layers: proximal block coordinate descent, ${settings.iterations} sweep(s) per batch`,
      alignmentEvery,
      loss: (output, targets) => mean(sum(mul(square(sub(output, targets)), scalar(0.5)), { axis: 1 })),
      solve: (problem) => solveBcd(problem, settings),
    }),
  );
}

interface BcdState {
  readonly weights: Tensor[];
  readonly preActivations: Tensor[];
  readonly activations: Tensor[];
}

function solveBcd(problem: BatchProblem, settings: BcdSettings): Tensor[] {
  let state: BcdState = {
    weights: [...problem.weights],
    preActivations: [...problem.preActivations],
    activations: [...problem.activations],
  };
  for (let iteration = 0; iteration < settings.iterations; iteration++) {
    const current = state;
    state = tidy(() => bcdSweep(problem, current, settings));
  }
  return state.weights;
}

function bcdSweep(problem: BatchProblem, state: BcdState, settings: BcdSettings): BcdState {
  const { gamma, proximal: alpha, jitter } = settings;
  const layers = problem.chain.layers;
  const last = layers.length - 1;
  const ridge = settings.weightProximal * problem.x.shape[0]!;
  const weights = [...state.weights];
  const u = [...state.preActivations];
  const v = [...state.activations];

  // Output: V_L = argmin ½‖V − Y‖² + (γ/2)‖V − m‖² + (α/2)‖V − V_previous‖², then W_L.
  const output = matmul(layerInput(problem, v, last), weights[last]!);
  const pulled = add(add(problem.targets, mul(output, scalar(gamma))), mul(u[last]!, scalar(alpha)));
  u[last] = mul(pulled, scalar(1 / (1 + gamma + alpha)));
  weights[last] = leastSquaresWeights(layerInput(problem, v, last), u[last]!, weights[last]!, ridge, jitter);

  // Hidden layers, last to first: V_l, U_l, W_l.
  for (let l = last - 1; l >= 0; l--) {
    const above = layers[l + 1]!;
    v[l] = solveActivations(
      u[l + 1]!,
      weightPart(weights[l + 1]!, above),
      biasPart(weights[l + 1]!, above),
      gamma,
      [
        { target: relu(u[l]!), weight: gamma },
        { target: v[l]!, weight: alpha },
      ],
      jitter,
    );
    // (γ/2)(U − m)² + (α/2)(U − U_previous)² is ((γ + α)/2)(U − center)² plus a constant.
    const m = matmul(layerInput(problem, v, l), weights[l]!);
    const center = mul(add(mul(m, scalar(gamma)), mul(u[l]!, scalar(alpha))), scalar(1 / (gamma + alpha)));
    u[l] = reluProximal(v[l]!, center, gamma, gamma + alpha);
    weights[l] = leastSquaresWeights(layerInput(problem, v, l), u[l]!, weights[l]!, ridge, jitter);
  }
  return { weights, preActivations: u, activations: v };
}
