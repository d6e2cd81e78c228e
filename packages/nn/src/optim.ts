/**
 * Optimizers. `step(parameters, grads)` replaces each parameter's value with
 * its updated tensor; a `null` gradient leaves that parameter unchanged.
 * State (momentum, moments) is kept per parameter, outside any `tidy`.
 */
import { add, div, keep, mul, scalar, sqrt, sub, tensor, tidy, zerosLike } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { ConfigError } from "./errors.js";
import type { Parameter } from "./module.js";
import type { TensorData } from "./safetensors.js";

export interface Optimizer {
  /** Learning rate; schedules may change it between steps. */
  lr: number;
  step(parameters: readonly Parameter[], grads: readonly (Tensor | null)[]): void;
  /** Dispose the state tensors. */
  dispose(): void;
  /**
   * Copies of the state tensors, for checkpoints, keyed "<slot>/<parameter name>"
   * with the names given in `named`. Optional, so custom optimizers without
   * state need not implement it.
   */
  saveState?(named: readonly NamedParameter[]): Map<string, Tensor>;
  /** Replace the state with tensors from `saveState`; throws `ConfigError` on a key it does not use. */
  loadState?(named: readonly NamedParameter[], state: ReadonlyMap<string, TensorData>): void;
}

/** A parameter and its name, such as "0.0.1.weight". */
export type NamedParameter = readonly [string, Parameter];

/** Copy every entry of the per-parameter `slots` into one map keyed "<slot>/<name>". */
function saveSlots(named: readonly NamedParameter[], slots: Record<string, Map<Parameter, Tensor>>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [slotName, slot] of Object.entries(slots)) {
    for (const [name, parameter] of named) {
      const value = slot.get(parameter);
      if (value !== undefined) out.set(`${slotName}/${name}`, keep(mul(value, 1)));
    }
  }
  return out;
}

/**
 * Replace `slots` with the entries of `state`, which `saveSlots` wrote.
 * Every entry is checked before any slot changes.
 */
function loadSlots(
  optimizer: string,
  named: readonly NamedParameter[],
  slots: Record<string, Map<Parameter, Tensor>>,
  state: ReadonlyMap<string, TensorData>,
): void {
  const byName = new Map(named);
  const entries: [Map<Parameter, Tensor>, Parameter, TensorData][] = [];
  for (const [key, value] of state) {
    const [slotName, name] = splitKey(key);
    const slot = slots[slotName];
    const parameter = byName.get(name);
    if (slot === undefined || parameter === undefined) {
      throw new ConfigError(
        `${optimizer}.loadState: state entry "${key}" matches no ${slot === undefined ? "slot" : "parameter"}. ` +
          `Valid slots: ${Object.keys(slots).join(", ")}. Load the state into the optimizer of the same phase and model.`,
      );
    }
    if (value.shape.join() !== parameter.shape.join()) {
      throw new ConfigError(
        `${optimizer}.loadState: state entry "${key}" has shape [${value.shape.join(", ")}], but parameter "${name}" ` +
          `has shape [${parameter.shape.join(", ")}]. Load the state into the optimizer of the same model.`,
      );
    }
    entries.push([slot, parameter, value]);
  }

  for (const slot of Object.values(slots)) {
    for (const tensor of slot.values()) tensor.dispose();
    slot.clear();
  }
  for (const [slot, parameter, value] of entries) slot.set(parameter, keep(tensor(value.data, value.shape, value.dtype)));
}

function splitKey(key: string): [string, string] {
  const at = key.indexOf("/");
  return at < 0 ? [key, ""] : [key.slice(0, at), key.slice(at + 1)];
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

  saveState(named: readonly NamedParameter[]): Map<string, Tensor> {
    return saveSlots(named, { velocity: this.velocity });
  }

  loadState(named: readonly NamedParameter[], state: ReadonlyMap<string, TensorData>): void {
    loadSlots("SGD", named, { velocity: this.velocity }, state);
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

  /** Slots "m" and "v", and "t": the step count as an int32 scalar. */
  saveState(named: readonly NamedParameter[]): Map<string, Tensor> {
    const out = saveSlots(named, { m: this.m, v: this.v });
    for (const [name, parameter] of named) {
      const t = this.steps.get(parameter);
      if (t !== undefined) out.set(`t/${name}`, keep(scalar(t, "int32")));
    }
    return out;
  }

  loadState(named: readonly NamedParameter[], state: ReadonlyMap<string, TensorData>): void {
    const byName = new Map(named);
    const steps = new Map<Parameter, number>();
    for (const [key, value] of state) {
      if (!key.startsWith("t/")) continue;
      const parameter = byName.get(key.slice(2));
      if (parameter === undefined || value.data.length !== 1) {
        throw new ConfigError(
          `Adam.loadState: state entry "${key}" ${parameter === undefined ? "matches no parameter" : "is not a scalar step count"}. ` +
            "Load the state into the optimizer of the same phase and model.",
        );
      }
      steps.set(parameter, value.data[0]!);
    }

    const moments = new Map([...state].filter(([key]) => !key.startsWith("t/")));
    loadSlots("Adam", named, { m: this.m, v: this.v }, moments);
    this.steps.clear();
    for (const [parameter, t] of steps) this.steps.set(parameter, t);
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
