/**
 * `Module`, `Parameter` and `ModuleBuffer`: the building blocks of models and
 * of training modules. A module owns named parameters, named buffers, named
 * child modules and a train/eval mode; `forward` maps a batch to a batch.
 */
import { keep, tidy, zeros } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { ConfigError } from "./errors.js";

/**
 * A named tensor that a module owns and replaces over time. Tensors are
 * immutable, so an update assigns a new tensor and disposes the old one.
 */
export class NamedTensor {
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

/** A trainable tensor. Optimizers replace `value` with a new tensor on each update. */
export class Parameter extends NamedTensor {}

/**
 * A non-trainable tensor of module state, such as the running mean of batch
 * normalization. Checkpoints save and load buffers with the parameters, but
 * optimizers and tapes never see them. The module replaces `value` with
 * `assign`, which disposes the previous tensor.
 */
export class ModuleBuffer extends NamedTensor {}

export abstract class Module {
  private readonly ownParameters = new Map<string, Parameter>();
  private readonly ownBuffers = new Map<string, ModuleBuffer>();
  private readonly ownChildren = new Map<string, Module>();
  private trainingMode = true;

  /** Map a batch to a batch. Shapes are documented by each layer. */
  abstract forward(x: Tensor): Tensor;

  /** Short description for summaries, e.g. "Linear(784 -> 256)". */
  describe(): string {
    return this.constructor.name;
  }

  protected addParameter(name: string, value: Tensor): Parameter {
    this.assertFreeName(name);
    const parameter = new Parameter(value, name);
    this.ownParameters.set(name, parameter);
    return parameter;
  }

  protected addBuffer(name: string, value: Tensor): ModuleBuffer {
    this.assertFreeName(name);
    const buffer = new ModuleBuffer(value, name);
    this.ownBuffers.set(name, buffer);
    return buffer;
  }

  /** Reject a name that a parameter or buffer of this module already uses, since checkpoints key both by name. */
  private assertFreeName(name: string): void {
    if (this.ownParameters.has(name) || this.ownBuffers.has(name)) {
      throw new ConfigError(
        `${this.describe()}: the tensor name "${name}" is already used by a parameter or buffer of this module. Pick another name.`,
      );
    }
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

  /** List every buffer of this module and its descendants, with dotted names such as "1.runningMean". */
  namedBuffers(prefix = ""): [string, ModuleBuffer][] {
    const out: [string, ModuleBuffer][] = [];
    for (const [name, buffer] of this.ownBuffers) out.push([prefix + name, buffer]);
    for (const [name, child] of this.ownChildren) out.push(...child.namedBuffers(`${prefix}${name}.`));
    return out;
  }

  buffers(): ModuleBuffer[] {
    return this.namedBuffers().map(([, buffer]) => buffer);
  }

  /** List the parameters, then the buffers: every tensor that a checkpoint of this module stores. */
  namedTensors(prefix = ""): [string, NamedTensor][] {
    return [...this.namedParameters(prefix), ...this.namedBuffers(prefix)];
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

  /** Dispose every parameter and buffer tensor. */
  dispose(): void {
    for (const [, tensor] of this.namedTensors()) tensor.dispose();
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

/**
 * Return the per-sample output shape of every module in `modules`, applied
 * in order to one zero sample of `sampleShape`. The modules run in eval
 * mode, so batch statistics stay untouched, and get their modes back after.
 */
export function moduleOutputShapes(modules: readonly Module[], sampleShape: readonly number[]): number[][] {
  const modes = modules.map((module) => module.training);
  modules.forEach((module) => module.eval());
  try {
    return tidy(() => {
      const shapes: number[][] = [];
      let x = zeros([1, ...sampleShape]);
      for (const module of modules) {
        x = module.forward(x);
        shapes.push(x.shape.slice(1));
      }
      return shapes;
    });
  } finally {
    modules.forEach((module, i) => module.train(modes[i]));
  }
}
