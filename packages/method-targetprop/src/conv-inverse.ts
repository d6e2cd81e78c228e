/**
 * `ConvInverse`: the learned approximate inverse g_l of a convolutional
 * training module whose input and output are both images [C, H, W].
 *
 * It mirrors the module's layers in reverse order. Each pooling layer
 * becomes an unpooling that copies every value over its window, and each
 * `Conv2d` becomes a `ConvTranspose2d` with the same kernel, stride,
 * padding and dilation. Elementwise layers (activations, batch
 * normalisation, dropout) have no counterpart; one nonlinearity ends the
 * inverse, as in `InverseLayer`. Every step restores the exact spatial
 * size its layer received, odd sizes included. An unpooling fills the rows
 * and columns that no pooling window covered with zeros. A transposed
 * convolution gets the output padding that makes up for the rows the
 * convolution's stride dropped.
 */
import {
  AvgPool2d,
  BatchNorm2d,
  ConfigError,
  Conv2d,
  ConvTranspose2d,
  Dropout,
  LeakyReLU,
  MaxPool2d,
  Module,
  moduleOutputShapes,
  ReLU,
  Sequential,
  Sigmoid,
  Tanh,
} from "@modular/nn";
import { avgUnpool2d, formatShape, type Pool2dOptions, type Size2d, type Tensor } from "@modular/tensor";
import { activationLayer, type InverseActivation, InverseLayer } from "./inverse.js";

export interface ConvInverseOptions {
  /** The training module f_l that this inverse undoes. */
  readonly module: Module;
  /** Shape of one sample of the module's input h_{l−1}, [C, H, W]. */
  readonly inputShape: readonly number[];
  /** The nonlinearity that ends the inverse; use the one that produced h_{l−1}. */
  readonly activation: InverseActivation;
  /** Seed of the transposed convolutions' initial weights. */
  readonly seed: number;
}

/** Unpooling that copies each value over the window it was pooled from. Input [N, C, OH, OW], output [N, C, H, W]. */
class WindowUnpool extends Module {
  constructor(
    private readonly outputSize: readonly [number, number],
    private readonly options: Pool2dOptions,
  ) {
    super();
  }

  forward(x: Tensor): Tensor {
    return avgUnpool2d(x, this.outputSize, this.options);
  }

  override describe(): string {
    return `WindowUnpool(${JSON.stringify(this.options.kernelSize)} -> ${this.outputSize.join("x")})`;
  }
}

/** Layers that act on each element alone, so they keep the shape and the inverse skips them. */
const ELEMENTWISE = [ReLU, LeakyReLU, Tanh, Sigmoid, BatchNorm2d, Dropout];

function leafLayers(module: Module): Module[] {
  return module instanceof Sequential ? module.layers.flatMap(leafLayers) : [module];
}

function pairOf(size: Size2d): [number, number] {
  return typeof size === "number" ? [size, size] : [size[0], size[1]];
}

/**
 * Return the output padding that makes a transposed convolution map
 * `outputSize` back to `inputSize`, the sizes of `conv`'s output and input.
 */
function outputPadding(conv: Conv2d, inputSize: readonly number[], outputSize: readonly number[]): [number, number] {
  const stride = pairOf(conv.convOptions.stride);
  const padding = pairOf(conv.convOptions.padding);
  const dilation = pairOf(conv.convOptions.dilation);
  const axis = (i: 0 | 1) =>
    inputSize[i]! - ((outputSize[i]! - 1) * stride[i] - 2 * padding[i] + dilation[i] * (conv.kernelSize[i] - 1) + 1);
  return [axis(0), axis(1)];
}

export class ConvInverse extends Module {
  private readonly network: Sequential;

  constructor(readonly options: ConvInverseOptions) {
    super();
    const { module, inputShape, activation, seed } = options;
    const layers = leafLayers(module);
    const outputs = moduleOutputShapes(layers, inputShape);
    const steps: Module[] = [];

    // Walk the module's layers from the output down, each mapped back to its own input shape.
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i]!;
      const input = i === 0 ? inputShape : outputs[i - 1]!;
      const output = outputs[i]!;
      if (layer instanceof Conv2d) {
        steps.push(
          new ConvTranspose2d(layer.outChannels, layer.inChannels, layer.kernelSize, {
            ...layer.convOptions,
            outputPadding: outputPadding(layer, input.slice(1), output.slice(1)),
            init: activation === "relu" ? "kaiming-normal" : "xavier-uniform",
            gain: activation === "relu" ? Math.SQRT2 : 1,
            seed,
            stream: steps.length,
          }),
        );
      } else if (layer instanceof MaxPool2d || layer instanceof AvgPool2d) {
        steps.push(new WindowUnpool([input[1]!, input[2]!], layer.options));
      } else if (!ELEMENTWISE.some((kind) => layer instanceof kind)) {
        throw new ConfigError(
          `ConvInverse: the module's layer ${layer.describe()} (input ${formatShape(input)}, output ` +
            `${formatShape(output)}) has no transposed counterpart; a convolutional inverse supports Conv2d, ` +
            "MaxPool2d, AvgPool2d and elementwise layers. Split the model so this layer starts or ends a flat module.",
        );
      }
    }
    if (!steps.some((step) => step instanceof ConvTranspose2d)) {
      throw new ConfigError(
        `ConvInverse: the module ${module.describe()} has no Conv2d, so there is nothing to learn; ` +
          "give it at least one convolution.",
      );
    }
    const end = activationLayer(activation);
    if (end !== undefined) steps.push(end);
    this.network = this.addChild("network", new Sequential(steps));
  }

  /** Map h_l [B, C', H', W'] to an estimate of h_{l−1} [B, ...inputShape]. */
  forward(h: Tensor): Tensor {
    return this.network.forward(h);
  }

  override describe(): string {
    return `ConvInverse(${this.network.describe()})`;
  }
}

/**
 * Create the inverse of `module`, which maps one sample of shape
 * `inputShape` to one of shape `outputShape`: a `ConvInverse` when both are
 * images [C, H, W], an `InverseLayer` (one dense layer) otherwise.
 */
export function inverseOf(
  module: Module,
  inputShape: readonly number[],
  outputShape: readonly number[],
  activation: InverseActivation,
  seed: number,
): InverseLayer | ConvInverse {
  if (inputShape.length === 3 && outputShape.length === 3) {
    return new ConvInverse({ module, inputShape, activation, seed });
  }
  return new InverseLayer({
    outputFeatures: outputShape.reduce((a, b) => a * b, 1),
    inputShape,
    activation,
    seed,
  });
}
