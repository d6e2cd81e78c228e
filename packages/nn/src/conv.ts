/** Convolution layers: Conv2d and ConvTranspose2d over NCHW batches. */
import { add, conv2d, conv2dTranspose, formatShape, reshape, zeros } from "@modular/tensor";
import type { Size2d, Tensor } from "@modular/tensor";
import { ConfigError } from "./errors.js";
import { type InitName, initTensor } from "./init.js";
import { Module } from "./module.js";

export interface Conv2dLayerOptions {
  /** Step between windows. Default 1. */
  readonly stride?: Size2d;
  /** Zeros added on both sides of each spatial axis. Default 0. */
  readonly padding?: Size2d;
  /** Spacing between the kernel's taps. Default 1. */
  readonly dilation?: Size2d;
  /** Add a bias per output channel (initialised to zero). Default true. */
  readonly bias?: boolean;
  /** Weight initialiser. Default "kaiming-uniform". */
  readonly init?: InitName;
  /** Gain passed to the initialiser. Default √2 (ReLU). */
  readonly gain?: number;
  /** Seed of the initial weights. Default 0. */
  readonly seed?: number;
  /** Random stream of the weights, so layers that share a seed differ. Default 0. */
  readonly stream?: number;
}

export interface ConvTranspose2dLayerOptions extends Conv2dLayerOptions {
  /** Extra rows and columns at the output's bottom and right, below max(stride, dilation). Default 0. */
  readonly outputPadding?: Size2d;
}

function kernelPair(kernelSize: Size2d, layer: string): [number, number] {
  const both: readonly number[] = typeof kernelSize === "number" ? [kernelSize, kernelSize] : kernelSize;
  if (both.length !== 2 || both.some((k) => !Number.isInteger(k) || k <= 0)) {
    throw new ConfigError(
      `${layer}: kernelSize ${JSON.stringify(kernelSize)} is invalid; it must be a positive integer or a pair of them.`,
    );
  }
  return [both[0]!, both[1]!];
}

function checkChannels(layer: string, values: readonly [string, number][]): void {
  for (const [name, value] of values) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new ConfigError(`${layer}: ${name} ${value} is invalid; it must be a positive integer.`);
    }
  }
}

/** Throw unless `x` is [N, channels, H, W], naming the layer and the fix. */
function checkInput(x: Tensor, channels: number, description: string): void {
  if (x.rank !== 4 || x.shape[1] !== channels) {
    throw new ConfigError(
      `${description} expects input [N, ${channels}, H, W], but got ${formatShape(x.shape)}. ` +
        `Reshape flat samples to [N, C, H, W] or fix inChannels.`,
    );
  }
}

function addChannelBias(y: Tensor, bias: Tensor | undefined): Tensor {
  return bias === undefined ? y : add(y, reshape(bias, [bias.size, 1, 1]));
}

/**
 * 2-D convolution layer (cross-correlation, as in PyTorch's Conv2d).
 *
 * Input [N, inChannels, H, W], output [N, outChannels, OH, OW] with
 * OH = floor((H + 2 padding - dilation (KH - 1) - 1) / stride) + 1 and OW
 * likewise. The weight is [outChannels, inChannels, KH, KW], initialised
 * with fanIn = inChannels · KH · KW and fanOut = outChannels · KH · KW.
 */
export class Conv2d extends Module {
  readonly weight;
  readonly bias;
  readonly kernelSize: [number, number];
  /** Stride, padding and dilation, as given or defaulted: gradient rules written outside the layer and inverse models reuse them. */
  readonly convOptions: { readonly stride: Size2d; readonly padding: Size2d; readonly dilation: Size2d };

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size2d,
    options: Conv2dLayerOptions = {},
  ) {
    super();
    checkChannels("Conv2d", [["inChannels", inChannels], ["outChannels", outChannels]]);
    this.kernelSize = kernelPair(kernelSize, "Conv2d");
    this.convOptions = { stride: options.stride ?? 1, padding: options.padding ?? 0, dilation: options.dilation ?? 1 };
    const taps = this.kernelSize[0] * this.kernelSize[1];
    const weight = initTensor(options.init ?? "kaiming-uniform", [outChannels, inChannels, ...this.kernelSize], {
      seed: options.seed ?? 0,
      stream: options.stream ?? 0,
      fanIn: inChannels * taps,
      fanOut: outChannels * taps,
      ...(options.gain === undefined ? {} : { gain: options.gain }),
    });
    this.weight = this.addParameter("weight", weight);
    this.bias = options.bias === false ? undefined : this.addParameter("bias", zeros([outChannels]));
  }

  forward(x: Tensor): Tensor {
    checkInput(x, this.inChannels, this.describe());
    return addChannelBias(conv2d(x, this.weight.value, this.convOptions), this.bias?.value);
  }

  override describe(): string {
    return `Conv2d(${this.inChannels} -> ${this.outChannels}, ${this.kernelSize.join("x")})`;
  }
}

/**
 * Transposed 2-D convolution: the adjoint of Conv2d with respect to its
 * input, used to upsample (decoders, inverse models).
 *
 * Input [N, inChannels, H, W], output [N, outChannels, OH, OW] with
 * OH = (H - 1) stride - 2 padding + dilation (KH - 1) + outputPadding + 1.
 * The weight is [inChannels, outChannels, KH, KW], initialised with
 * fanIn = inChannels · KH · KW.
 */
export class ConvTranspose2d extends Module {
  readonly weight;
  readonly bias;
  readonly kernelSize: [number, number];
  private readonly convOptions: { stride: Size2d; padding: Size2d; dilation: Size2d; outputPadding: Size2d };

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Size2d,
    options: ConvTranspose2dLayerOptions = {},
  ) {
    super();
    checkChannels("ConvTranspose2d", [["inChannels", inChannels], ["outChannels", outChannels]]);
    this.kernelSize = kernelPair(kernelSize, "ConvTranspose2d");
    this.convOptions = {
      stride: options.stride ?? 1,
      padding: options.padding ?? 0,
      dilation: options.dilation ?? 1,
      outputPadding: options.outputPadding ?? 0,
    };
    const taps = this.kernelSize[0] * this.kernelSize[1];
    const weight = initTensor(options.init ?? "kaiming-uniform", [inChannels, outChannels, ...this.kernelSize], {
      seed: options.seed ?? 0,
      stream: options.stream ?? 0,
      fanIn: inChannels * taps,
      fanOut: outChannels * taps,
      ...(options.gain === undefined ? {} : { gain: options.gain }),
    });
    this.weight = this.addParameter("weight", weight);
    this.bias = options.bias === false ? undefined : this.addParameter("bias", zeros([outChannels]));
  }

  forward(x: Tensor): Tensor {
    checkInput(x, this.inChannels, this.describe());
    return addChannelBias(conv2dTranspose(x, this.weight.value, this.convOptions), this.bias?.value);
  }

  override describe(): string {
    return `ConvTranspose2d(${this.inChannels} -> ${this.outChannels}, ${this.kernelSize.join("x")})`;
  }
}
