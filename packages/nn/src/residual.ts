/**
 * Residual block (He et al., "Deep Residual Learning for Image Recognition",
 * 2016): output = activation(body(x) + shortcut(x)). The shortcut is the
 * identity unless a module is given, such as a projection that changes the
 * channel count or the spatial size.
 */
import { add, formatShape, shapesEqual, ShapeError } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { Module } from "./module.js";

export interface ResidualOptions {
  /** Module applied to the input on the skip path. Default: the identity. */
  readonly shortcut?: Module;
  /** Module applied to the sum, such as `new ReLU()`. Default: none. */
  readonly activation?: Module;
}

/**
 * activation(body(x) + shortcut(x)). Input: whatever `body` and `shortcut`
 * accept. Output: the shape that both produce, which must be the same; a
 * `ShapeError` names both shapes otherwise. The sum does not broadcast.
 */
export class Residual extends Module {
  readonly body: Module;
  readonly shortcut: Module | undefined;
  readonly activation: Module | undefined;

  constructor(body: Module, options: ResidualOptions = {}) {
    super();
    this.body = this.addChild("body", body);
    this.shortcut = options.shortcut === undefined ? undefined : this.addChild("shortcut", options.shortcut);
    this.activation = options.activation === undefined ? undefined : this.addChild("activation", options.activation);
  }

  forward(x: Tensor): Tensor {
    const main = this.body.forward(x);
    const skip = this.shortcut === undefined ? x : this.shortcut.forward(x);
    if (!shapesEqual(main.shape, skip.shape)) {
      const skipName = this.shortcut === undefined ? "identity shortcut (the input)" : "shortcut";
      throw new ShapeError(
        `${this.describe()}: the body returned ${formatShape(main.shape)} but the ${skipName} returned ` +
          `${formatShape(skip.shape)}; they must be equal to be added. ` +
          `Pass a shortcut module that maps the input to the body's output shape, or fix the body.`,
      );
    }
    const sum = add(main, skip);
    return this.activation === undefined ? sum : this.activation.forward(sum);
  }

  override describe(): string {
    const parts = [this.body.describe()];
    if (this.shortcut !== undefined) parts.push(`shortcut: ${this.shortcut.describe()}`);
    if (this.activation !== undefined) parts.push(`then ${this.activation.describe()}`);
    return `Residual(${parts.join(", ")})`;
  }
}
