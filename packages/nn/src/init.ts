/**
 * Weight initialisers, seeded through the counter-based generator so the
 * same seed gives the same weights on every backend.
 *
 * Kaiming (He et al., "Delving deep into rectifiers", 2015): std = gain / √fanIn.
 * Xavier (Glorot and Bengio, "Understanding the difficulty of training deep
 * feedforward neural networks", 2010): variance 2 / (fanIn + fanOut).
 */
import { randomNormal, randomUniform, type Shape, zeros } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";

export type InitName = "kaiming-normal" | "kaiming-uniform" | "xavier-normal" | "xavier-uniform" | "zeros";

export const INIT_NAMES: readonly InitName[] = [
  "kaiming-normal",
  "kaiming-uniform",
  "xavier-normal",
  "xavier-uniform",
  "zeros",
];

export interface InitOptions {
  readonly seed: number;
  readonly stream: number;
  readonly fanIn: number;
  readonly fanOut: number;
  /** Gain of the nonlinearity that follows; √2 for ReLU (default), 1 for linear, 5/3 for tanh. */
  readonly gain?: number;
}

export function initTensor(name: InitName, shape: Shape, options: InitOptions): Tensor {
  const gain = options.gain ?? Math.SQRT2;
  const random = { seed: options.seed, stream: options.stream };
  switch (name) {
    case "kaiming-normal":
      return randomNormal(shape, { ...random, std: gain / Math.sqrt(options.fanIn) });
    case "kaiming-uniform": {
      const bound = gain * Math.sqrt(3 / options.fanIn);
      return randomUniform(shape, { ...random, low: -bound, high: bound });
    }
    case "xavier-normal":
      return randomNormal(shape, { ...random, std: gain * Math.sqrt(2 / (options.fanIn + options.fanOut)) });
    case "xavier-uniform": {
      const bound = gain * Math.sqrt(6 / (options.fanIn + options.fanOut));
      return randomUniform(shape, { ...random, low: -bound, high: bound });
    }
    case "zeros":
      return zeros(shape);
  }
}
