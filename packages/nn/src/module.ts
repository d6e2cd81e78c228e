/**
 * `Module` and `Parameter`: the building blocks of models and of training
 * modules. A module owns named parameters, named child modules and a
 * train/eval mode; `forward` maps a batch to a batch.
 */
import { keep } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";

/**
 * A trainable tensor. Optimizers replace `value` with a new tensor on each
 * update (tensors are immutable); the old one is disposed.
 */
export class Parameter {
  private current: Tensor;

  constructor(
    value: Tensor,
    readonly name: string,
  ) {
    this.current = keep(value);
  }

  get value(): Tensor {
    return this.current;
  }

  get shape(): readonly number[] {
    return this.current.shape;
  }

  /** Replace the value, disposing the previous tensor. The new tensor outlives any enclosing `tidy`. */
  assign(next: Tensor): void {
    if (next === this.current) return;
    keep(next);
    this.current.dispose();
    this.current = next;
  }

  dispose(): void {
    this.current.dispose();
  }
}

export abstract class Module {
  private readonly ownParameters = new Map<string, Parameter>();
  private readonly ownChildren = new Map<string, Module>();
  private trainingMode = true;

  /** Map a batch to a batch. Shapes are documented by each layer. */
  abstract forward(x: Tensor): Tensor;

  /** Short description for summaries, e.g. "Linear(784 -> 256)". */
  describe(): string {
    return this.constructor.name;
  }

  protected addParameter(name: string, value: Tensor): Parameter {
    const parameter = new Parameter(value, name);
    this.ownParameters.set(name, parameter);
    return parameter;
  }

  protected addChild<M extends Module>(name: string, child: M): M {
    this.ownChildren.set(name, child);
    return child;
  }

  /** Child modules, in registration order. */
  children(): Module[] {
    return [...this.ownChildren.values()];
  }

  /** List every parameter of this module and its descendants, with dotted names such as "0.weight". */
  namedParameters(prefix = ""): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [name, parameter] of this.ownParameters) out.push([prefix + name, parameter]);
    for (const [name, child] of this.ownChildren) out.push(...child.namedParameters(`${prefix}${name}.`));
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, parameter]) => parameter);
  }

  /** Total number of scalar parameters. */
  parameterCount(): number {
    return this.parameters().reduce((acc, p) => acc + p.value.size, 0);
  }

  get training(): boolean {
    return this.trainingMode;
  }

  /** Set train mode (default) or eval mode on this module and its descendants. */
  train(mode = true): this {
    this.trainingMode = mode;
    for (const child of this.ownChildren.values()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Dispose every parameter tensor. */
  dispose(): void {
    for (const parameter of this.parameters()) parameter.dispose();
  }
}

/** Modules applied in order; the output of each is the input of the next. */
export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(layers: readonly Module[]) {
    super();
    this.layers = layers;
    layers.forEach((layer, i) => this.addChild(String(i), layer));
  }

  forward(x: Tensor): Tensor {
    let out = x;
    for (const layer of this.layers) out = layer.forward(out);
    return out;
  }

  override describe(): string {
    return this.layers.map((layer) => layer.describe()).join(" -> ");
  }
}

/** Apply modules in order: the forward pass of a split model. */
export function forwardThrough(modules: readonly Module[], x: Tensor): Tensor {
  let out = x;
  for (const module of modules) out = module.forward(out);
  return out;
}
