/**
 * Optimizers. `step(parameters, grads)` replaces each parameter's value with
 * its updated tensor; a `null` gradient leaves that parameter unchanged.
 * State (momentum, moments) is kept per parameter, outside any `tidy`.
 */
import { add, div, keep, mul, sqrt, sub, tidy, zerosLike } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { ConfigError } from "./errors.js";
import type { Parameter } from "./module.js";

export interface Optimizer {
  /** Learning rate; schedules may change it between steps. */
  lr: number;
  step(parameters: readonly Parameter[], grads: readonly (Tensor | null)[]): void;
  /** Dispose the state tensors. */
  dispose(): void;
}

function checkLength(parameters: readonly Parameter[], grads: readonly (Tensor | null)[]): void {
  if (parameters.length !== grads.length) {
    throw new ConfigError(
      `Optimizer.step: got ${parameters.length} parameters but ${grads.length} gradients; pass one gradient per parameter.`,
    );
  }
}

function checkRate(name: string, value: number, low: number, high: number): void {
  if (!(value >= low && value <= high) || !Number.isFinite(value)) {
    throw new ConfigError(`${name} ${value} is invalid; it must be between ${low} and ${high}.`);
  }
}

/** Replace `slot`'s entry for `parameter` with `next`, disposing the old tensor. */
function replaceState(slot: Map<Parameter, Tensor>, parameter: Parameter, next: Tensor): void {
  slot.get(parameter)?.dispose();
  slot.set(parameter, keep(next));
}

export interface SgdOptions {
  readonly lr: number;
  /** Momentum coefficient μ. Default 0 (plain SGD). */
  readonly momentum?: number;
  /** Use Nesterov momentum (Sutskever et al. 2013). Default false. */
  readonly nesterov?: boolean;
  /** L2 penalty λ added to the gradient as λθ. Default 0. */
  readonly weightDecay?: number;
}

/**
 * Stochastic gradient descent: g = ∇ + λθ; v = μv + g; θ −= lr·(Nesterov ? g + μv : v).
 * With μ = 0 this is θ −= lr·g.
 */
export class SGD implements Optimizer {
  lr: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;
  private readonly velocity = new Map<Parameter, Tensor>();

  constructor(options: SgdOptions) {
    this.lr = options.lr;
    this.momentum = options.momentum ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    checkRate("SGD lr", this.lr, 0, Infinity);
    checkRate("SGD momentum", this.momentum, 0, 1);
    checkRate("SGD weightDecay", this.weightDecay, 0, Infinity);
    if (this.nesterov && this.momentum === 0) {
      throw new ConfigError("SGD: Nesterov momentum needs momentum > 0; set momentum (for example 0.9).");
    }
  }

  step(parameters: readonly Parameter[], grads: readonly (Tensor | null)[]): void {
    checkLength(parameters, grads);
    parameters.forEach((parameter, i) => {
      const grad = grads[i];
      if (grad === null || grad === undefined) return;
      tidy(() => {
        const theta = parameter.value;
        const g = this.weightDecay > 0 ? add(grad, mul(theta, this.weightDecay)) : grad;
        let direction = g;
        if (this.momentum > 0) {
          const previous = this.velocity.get(parameter);
          const v = previous === undefined ? g : add(mul(previous, this.momentum), g);
          direction = this.nesterov ? add(g, mul(v, this.momentum)) : v;
          replaceState(this.velocity, parameter, v === grad ? mul(v, 1) : v);
        }
        parameter.assign(sub(theta, mul(direction, this.lr)));
      });
    });
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}

export interface AdamOptions {
  /** Learning rate. Default 1e-3. */
  readonly lr?: number;
  /** Decay of the first moment. Default 0.9. */
  readonly beta1?: number;
  /** Decay of the second moment. Default 0.999. */
  readonly beta2?: number;
  /** Added to √v for stability. Default 1e-8. */
  readonly epsilon?: number;
  /** L2 penalty λ added to the gradient as λθ (Adam, not AdamW). Default 0. */
  readonly weightDecay?: number;
}

/**
 * Adam (Kingma and Ba, "Adam: A method for stochastic optimization", 2015),
 * with bias correction folded into the step size:
 * θ −= lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m / (√v + ε).
 */
export class Adam implements Optimizer {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private readonly m = new Map<Parameter, Tensor>();
  private readonly v = new Map<Parameter, Tensor>();
  private readonly steps = new Map<Parameter, number>();

  constructor(options: AdamOptions = {}) {
    this.lr = options.lr ?? 1e-3;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    checkRate("Adam lr", this.lr, 0, Infinity);
    checkRate("Adam beta1", this.beta1, 0, 0.999999);
    checkRate("Adam beta2", this.beta2, 0, 0.999999999);
    checkRate("Adam weightDecay", this.weightDecay, 0, Infinity);
  }

  step(parameters: readonly Parameter[], grads: readonly (Tensor | null)[]): void {
    checkLength(parameters, grads);
    parameters.forEach((parameter, i) => {
      const grad = grads[i];
      if (grad === null || grad === undefined) return;
      const t = (this.steps.get(parameter) ?? 0) + 1;
      this.steps.set(parameter, t);
      tidy(() => {
        const theta = parameter.value;
        const g = this.weightDecay > 0 ? add(grad, mul(theta, this.weightDecay)) : grad;
        const m0 = this.m.get(parameter) ?? zerosLike(theta);
        const v0 = this.v.get(parameter) ?? zerosLike(theta);
        const m = add(mul(m0, this.beta1), mul(g, 1 - this.beta1));
        const v = add(mul(v0, this.beta2), mul(mul(g, g), 1 - this.beta2));
        replaceState(this.m, parameter, m);
        replaceState(this.v, parameter, v);
        const stepSize = (this.lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
        parameter.assign(sub(theta, mul(div(m, add(sqrt(v), this.epsilon)), stepSize)));
      });
    });
  }

  /** Dispose the moment tensors and reset the step counts, so a later step starts from t = 1. */
  dispose(): void {
    for (const slot of [this.m, this.v]) {
      for (const tensor of slot.values()) tensor.dispose();
      slot.clear();
    }
    this.steps.clear();
  }
}

/** A serialisable optimizer choice, as the CLI and the runner take it. */
export type OptimizerSpec =
  | ({ readonly kind: "adam" } & AdamOptions)
  | ({ readonly kind: "sgd" } & SgdOptions);

export const OPTIMIZER_KINDS = ["adam", "sgd"] as const;

export function createOptimizer(spec: OptimizerSpec): Optimizer {
  if (spec.kind === "adam") return new Adam(spec);
  if (spec.kind === "sgd") return new SGD(spec);
  throw new ConfigError(
    `Unknown optimizer "${(spec as { kind: string }).kind}". Valid optimizers: ${OPTIMIZER_KINDS.join(", ")}.`,
  );
}
