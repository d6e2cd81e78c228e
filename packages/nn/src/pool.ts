/**
 * Pooling layers and their inverses over NCHW batches. An unpooling layer
 * is built from the pooling layer it inverts and reads what that layer's
 * last forward pass recorded (the input size, and for max pooling the
 * argmax indices), as an inverse model in target propagation needs.
 */
import { avgPool2d, avgUnpool2d, formatShape, globalAvgPool2d, keep, maxPool2d, maxUnpool2d } from "@modular/tensor";
import type { Pool2dOptions, Size2d, Tensor } from "@modular/tensor";
import { ConfigError } from "./errors.js";
import { Module } from "./module.js";

export interface PoolLayerOptions {
  /** Step between windows. Default `kernelSize`, so windows do not overlap. */
  readonly stride?: Size2d;
  /** Implicit padding on both sides, at most half the kernel. Default 0. */
  readonly padding?: Size2d;
}

export interface MaxPoolLayerOptions extends PoolLayerOptions {
  /**
   * Keep the argmax indices of the last forward pass for a `MaxUnpool2d`
   * built from this layer. Each forward pass then frees the previous
   * indices; `dispose()` frees the last. Default false.
   */
  readonly keepIndices?: boolean;
}

function checkInput(x: Tensor, description: string): void {
  if (x.rank !== 4) {
    throw new ConfigError(
      `${description} expects input [N, C, H, W], but got ${formatShape(x.shape)}. Reshape flat samples to [N, C, H, W].`,
    );
  }
}

function poolOptions(kernelSize: Size2d, options: PoolLayerOptions): Pool2dOptions {
  return {
    kernelSize,
    ...(options.stride === undefined ? {} : { stride: options.stride }),
    ...(options.padding === undefined ? {} : { padding: options.padding }),
  };
}

function spatialSize(x: Tensor): [number, number] {
  return [x.shape[2]!, x.shape[3]!];
}

/** Return the spatial size a pooling layer last saw, or throw a ConfigError when it has not run yet. */
function lastSizeOf(pool: { lastInputSize: [number, number] | undefined; describe(): string }, unpool: string): [number, number] {
  if (pool.lastInputSize === undefined) {
    throw new ConfigError(`${unpool}: ${pool.describe()} has not run a forward pass yet; run it before unpooling.`);
  }
  return pool.lastInputSize;
}

/** Max pooling. Input [N, C, H, W], output [N, C, OH, OW] with OH = floor((H + 2 padding - kernel) / stride) + 1. */
export class MaxPool2d extends Module {
  readonly options: Pool2dOptions;
  readonly keepIndices: boolean;
  /** [H, W] of the last input. */
  lastInputSize: [number, number] | undefined;
  private indices: Tensor | undefined;

  constructor(kernelSize: Size2d, options: MaxPoolLayerOptions = {}) {
    super();
    this.options = poolOptions(kernelSize, options);
    this.keepIndices = options.keepIndices ?? false;
  }

  forward(x: Tensor): Tensor {
    checkInput(x, this.describe());
    const { values, indices } = maxPool2d(x, this.options);
    this.lastInputSize = spatialSize(x);
    if (this.keepIndices) {
      this.indices?.dispose();
      this.indices = keep(indices);
    }
    return values;
  }

  /** int32 argmax indices of the last forward pass, [N, C, OH, OW]. */
  get lastIndices(): Tensor {
    if (!this.keepIndices) {
      throw new ConfigError(`${this.describe()} does not keep its indices; construct it with { keepIndices: true }.`);
    }
    if (this.indices === undefined) {
      throw new ConfigError(`${this.describe()} has not run a forward pass yet; run it before reading its indices.`);
    }
    return this.indices;
  }

  override dispose(): void {
    this.indices?.dispose();
    this.indices = undefined;
    super.dispose();
  }

  override describe(): string {
    return `MaxPool2d(${JSON.stringify(this.options.kernelSize)})`;
  }
}

/**
 * Average pooling over each window's in-bounds elements. Input [N, C, H, W],
 * output [N, C, OH, OW] with OH = floor((H + 2 padding - kernel) / stride) + 1.
 */
export class AvgPool2d extends Module {
  readonly options: Pool2dOptions;
  /** [H, W] of the last input. */
  lastInputSize: [number, number] | undefined;

  constructor(kernelSize: Size2d, options: PoolLayerOptions = {}) {
    super();
    this.options = poolOptions(kernelSize, options);
  }

  forward(x: Tensor): Tensor {
    checkInput(x, this.describe());
    this.lastInputSize = spatialSize(x);
    return avgPool2d(x, this.options);
  }

  override describe(): string {
    return `AvgPool2d(${JSON.stringify(this.options.kernelSize)})`;
  }
}

/** Mean of each channel over its spatial axes. Input [N, C, H, W], output [N, C]. */
export class GlobalAvgPool2d extends Module {
  forward(x: Tensor): Tensor {
    checkInput(x, this.describe());
    return globalAvgPool2d(x);
  }
}

/**
 * The inverse of a `MaxPool2d` (constructed with `keepIndices: true`): puts
 * each value back at the position its window's maximum came from in the
 * pool's last forward pass, zeros elsewhere. Input [N, C, OH, OW], output
 * [N, C, H, W] with the pool's last input size, odd sizes included.
 */
export class MaxUnpool2d extends Module {
  constructor(readonly pool: MaxPool2d) {
    super();
    if (!pool.keepIndices) {
      throw new ConfigError(
        `MaxUnpool2d: ${pool.describe()} does not keep its indices; construct it with { keepIndices: true }.`,
      );
    }
  }

  forward(x: Tensor): Tensor {
    checkInput(x, this.describe());
    return maxUnpool2d(x, this.pool.lastIndices, lastSizeOf(this.pool, "MaxUnpool2d"), this.pool.options);
  }
}

/**
 * The inverse of an `AvgPool2d`: copies each value over its window, so that
 * pooling the result gives the input back where windows do not overlap.
 * Input [N, C, OH, OW], output [N, C, H, W] with the pool's last input size.
 */
export class AvgUnpool2d extends Module {
  constructor(readonly pool: AvgPool2d) {
    super();
  }

  forward(x: Tensor): Tensor {
    checkInput(x, this.describe());
    return avgUnpool2d(x, lastSizeOf(this.pool, "AvgUnpool2d"), this.pool.options);
  }
}
