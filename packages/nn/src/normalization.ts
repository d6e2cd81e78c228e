/**
 * Batch normalization (Ioffe and Szegedy, "Batch Normalization: Accelerating
 * Deep Network Training by Reducing Internal Covariate Shift", 2015) over
 * [N, F] and [N, C, H, W] inputs.
 *
 * In train mode a layer normalizes each feature or channel with the mean and
 * biased variance of the batch, and updates its running statistics. In eval
 * mode it uses the running statistics instead. Both paths are compositions of
 * tensor ops, so they run on every backend and the tape differentiates them.
 */
import {
  add,
  formatShape,
  mean,
  mul,
  ones,
  reshape,
  rsqrt,
  square,
  sub,
  tidy,
  withoutRecording,
  zeros,
} from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { ConfigError } from "./errors.js";
import { Module, type ModuleBuffer, type Parameter } from "./module.js";

export interface BatchNormOptions {
  /** Added to the variance before the square root. Default 1e-5. */
  readonly epsilon?: number;
  /**
   * Weight of the batch statistics in each running-statistics update:
   * running = (1 − momentum) · running + momentum · batch. Default 0.1.
   */
  readonly momentum?: number;
  /** Learn a per-channel scale `weight` (initialised to 1) and shift `bias` (initialised to 0). Default true. */
  readonly affine?: boolean;
}

/**
 * Shared implementation of `BatchNorm1d` and `BatchNorm2d`. Statistics are
 * taken over every axis except axis 1, the feature or channel axis.
 */
abstract class BatchNorm extends Module {
  readonly epsilon: number;
  readonly momentum: number;
  /** Per-channel scale, [channels]; absent when `affine` is false. */
  readonly weight: Parameter | undefined;
  /** Per-channel shift, [channels]; absent when `affine` is false. */
  readonly bias: Parameter | undefined;
  /** Running mean of each channel, [channels], starting at 0. */
  readonly runningMean: ModuleBuffer;
  /** Running unbiased variance of each channel, [channels], starting at 1. */
  readonly runningVar: ModuleBuffer;

  protected constructor(
    private readonly layerName: "BatchNorm1d" | "BatchNorm2d",
    readonly channels: number,
    options: BatchNormOptions,
  ) {
    super();
    if (!Number.isInteger(channels) || channels <= 0) {
      throw new ConfigError(`${layerName}: channels ${channels} is invalid; it must be a positive integer.`);
    }
    this.epsilon = options.epsilon ?? 1e-5;
    if (!(this.epsilon > 0) || !Number.isFinite(this.epsilon)) {
      throw new ConfigError(`${layerName}: epsilon ${this.epsilon} is invalid; it must be a positive finite number such as 1e-5.`);
    }
    this.momentum = options.momentum ?? 0.1;
    if (!(this.momentum >= 0 && this.momentum <= 1)) {
      throw new ConfigError(`${layerName}: momentum ${this.momentum} is invalid; it must be in [0, 1], for example 0.1.`);
    }

    const affine = options.affine ?? true;
    this.weight = affine ? this.addParameter("weight", ones([channels])) : undefined;
    this.bias = affine ? this.addParameter("bias", zeros([channels])) : undefined;
    this.runningMean = this.addBuffer("runningMean", zeros([channels]));
    this.runningVar = this.addBuffer("runningVar", ones([channels]));
  }

  forward(x: Tensor): Tensor {
    this.assertInput(x);
    const axes = x.shape.map((_, axis) => axis).filter((axis) => axis !== 1);
    // [1, C] or [1, C, 1, 1]: per-channel vectors broadcast against the input.
    const statShape = x.shape.map((dim, axis) => (axis === 1 ? dim : 1));

    let normalized: Tensor;
    if (this.training) {
      const count = x.size / this.channels;
      if (count < 2) {
        throw new ConfigError(
          `${this.describe()}: train mode needs more than one value per channel to estimate a variance, ` +
            `but got input ${formatShape(x.shape)}. Use a batch of 2 or more samples, or call eval() first.`,
        );
      }
      const batchMean = mean(x, { axis: axes, keepDims: true });
      const centered = sub(x, batchMean);
      const batchVar = mean(square(centered), { axis: axes, keepDims: true });
      normalized = mul(centered, rsqrt(add(batchVar, this.epsilon)));
      this.updateRunningStatistics(batchMean, batchVar, count);
    } else {
      const runningMean = reshape(this.runningMean.value, statShape);
      const runningVar = reshape(this.runningVar.value, statShape);
      normalized = mul(sub(x, runningMean), rsqrt(add(runningVar, this.epsilon)));
    }

    if (this.weight === undefined || this.bias === undefined) return normalized;
    return add(mul(normalized, reshape(this.weight.value, statShape)), reshape(this.bias.value, statShape));
  }

  override describe(): string {
    return `${this.layerName}(${this.channels})`;
  }

  private assertInput(x: Tensor): void {
    const [rank, layout] = this.layerName === "BatchNorm1d" ? [2, "[N, F]"] : [4, "[N, C, H, W]"];
    if (x.rank !== rank || x.shape[1] !== this.channels) {
      throw new ConfigError(
        `${this.describe()} expects input ${layout} with ${this.channels} channels at axis 1, ` +
          `but got ${formatShape(x.shape)}. Fix the channel count or the layer's position in the model.`,
      );
    }
  }

  /**
   * Blend the batch statistics into the running ones. The running variance
   * takes the unbiased estimate, batchVar · count / (count − 1). No tape
   * records this update.
   */
  private updateRunningStatistics(batchMean: Tensor, batchVar: Tensor, count: number): void {
    const momentum = this.momentum;
    const [nextMean, nextVar] = withoutRecording(() =>
      tidy(() => {
        const meanVector = reshape(batchMean, [this.channels]);
        const varVector = mul(reshape(batchVar, [this.channels]), count / (count - 1));
        return [
          add(mul(this.runningMean.value, 1 - momentum), mul(meanVector, momentum)),
          add(mul(this.runningVar.value, 1 - momentum), mul(varVector, momentum)),
        ];
      }),
    );
    this.runningMean.assign(nextMean!);
    this.runningVar.assign(nextVar!);
  }
}

/**
 * Batch normalization over a batch of feature vectors. Input and output
 * [N, features]. Learnable `weight` and `bias` are [features]; the running
 * statistics `runningMean` and `runningVar` are buffers of [features], saved
 * in checkpoints.
 */
export class BatchNorm1d extends BatchNorm {
  constructor(features: number, options: BatchNormOptions = {}) {
    super("BatchNorm1d", features, options);
  }
}

/**
 * Batch normalization over a batch of images, with statistics per channel
 * over N, H and W. Input and output [N, C, H, W]. Learnable `weight` and
 * `bias` are [channels]; the running statistics `runningMean` and
 * `runningVar` are buffers of [channels], saved in checkpoints.
 */
export class BatchNorm2d extends BatchNorm {
  constructor(channels: number, options: BatchNormOptions = {}) {
    super("BatchNorm2d", channels, options);
  }
}
