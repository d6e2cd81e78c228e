/** Basic layers: Linear, the element-wise activations, and Flatten. */
import { add, matmul, relu, reshape, sigmoid, tanh, zeros } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { ConfigError } from "./errors.js";
import { type InitName, initTensor } from "./init.js";
import { Module } from "./module.js";
import { formatShape } from "@modular/tensor";

export interface LinearOptions {
  /** Add a bias vector (initialised to zero). Default true. */
  readonly bias?: boolean;
  /** Weight initialiser. Default "kaiming-normal". */
  readonly init?: InitName;
  /** Gain passed to the initialiser. Default √2 (ReLU). */
  readonly gain?: number;
  /** Seed of the initial weights. Default 0. */
  readonly seed?: number;
  /** Random stream of the weights, so layers that share a seed differ. Default 0. */
  readonly stream?: number;
}

/**
 * Fully connected layer: y = x W + b.
 *
 * Input [N, inFeatures], output [N, outFeatures]. The weight is stored as
 * [inFeatures, outFeatures] so the forward pass needs no transpose.
 */
export class Linear extends Module {
  readonly weight;
  readonly bias;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    for (const [name, value] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const) {
      if (!Number.isInteger(value) || value <= 0) {
        throw new ConfigError(`Linear: ${name} ${value} is invalid; it must be a positive integer.`);
      }
    }
    const init = options.init ?? "kaiming-normal";
    const weight = initTensor(init, [inFeatures, outFeatures], {
      seed: options.seed ?? 0,
      stream: options.stream ?? 0,
      fanIn: inFeatures,
      fanOut: outFeatures,
      ...(options.gain === undefined ? {} : { gain: options.gain }),
    });
    this.weight = this.addParameter("weight", weight);
    this.bias = options.bias === false ? undefined : this.addParameter("bias", zeros([outFeatures]));
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new ConfigError(
        `Linear(${this.inFeatures} -> ${this.outFeatures}) expects input [N, ${this.inFeatures}], ` +
          `but got ${formatShape(x.shape)}. Add a Flatten layer before it or fix inFeatures.`,
      );
    }
    const product = matmul(x, this.weight.value);
    return this.bias === undefined ? product : add(product, this.bias.value);
  }

  override describe(): string {
    return `Linear(${this.inFeatures} -> ${this.outFeatures})`;
  }
}

/** max(0, x), element-wise. Any shape. */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** tanh(x), element-wise. Any shape. */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** 1 / (1 + exp(-x)), element-wise. Any shape. */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** Flatten every axis after the first: [N, ...] to [N, product]. Shares storage (no copy). */
export class Flatten extends Module {
  forward(x: Tensor): Tensor {
    if (x.rank === 2) return x;
    return reshape(x, [x.shape[0]!, -1]);
  }
}
