/**
 * Argument checks and geometry shared by the convolution and pooling ops:
 * per-axis sizes given as one number or a pair, NCHW rank checks, and the
 * output extent of a sliding window.
 */
import type { Window2d } from "../backend.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { formatShape } from "../shape.js";
import type { Tensor } from "../tensor.js";

/** A size per spatial axis, [height, width], or one number for both. */
export type Size2d = number | readonly [number, number];

/** Normalise `value` to [height, width] and check each is an integer >= `min`. */
export function pair(value: Size2d, name: string, opName: string, min: number): [number, number] {
  const both: readonly number[] = typeof value === "number" ? [value, value] : value;
  if (both.length !== 2 || both.some((v) => !Number.isInteger(v) || v < min)) {
    throw new InvalidArgumentError(
      `${opName}: ${name} ${JSON.stringify(value)} is invalid; pass an integer >= ${min} ` +
        `or a pair [height, width] of such integers.`,
    );
  }
  return [both[0]!, both[1]!];
}

/** Throw unless `x` is a rank-4 NCHW tensor; `what` names it in the message. */
export function assertNchw(x: Tensor, what: string, opName: string): void {
  if (x.rank !== 4) {
    throw new ShapeError(
      `${opName}: ${what} must have rank 4 [N, C, H, W], but got ${formatShape(x.shape)}. ` +
        `Reshape a single image [C, H, W] to [1, C, H, W].`,
    );
  }
}

/** Output extent of a window sliding over `size` elements: floor((size + 2 pad - dilation (kernel - 1) - 1) / stride) + 1. */
export function slidingExtent(size: number, kernel: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
}

export interface WindowSpec {
  readonly kernel: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly dilation: [number, number];
}

/**
 * Build the kernel geometry for input [N, C, H, W]. Throws a ShapeError when
 * the window does not fit once, naming the input, the window and the fix.
 */
export function windowOf(inputShape: readonly number[], spec: WindowSpec, opName: string): Window2d {
  const [batch, channels, inHeight, inWidth] = inputShape as [number, number, number, number];
  const outHeight = slidingExtent(inHeight, spec.kernel[0], spec.stride[0], spec.padding[0], spec.dilation[0]);
  const outWidth = slidingExtent(inWidth, spec.kernel[1], spec.stride[1], spec.padding[1], spec.dilation[1]);
  if (outHeight <= 0 || outWidth <= 0) {
    const span = spec.kernel.map((k, axis) => spec.dilation[axis]! * (k - 1) + 1);
    throw new ShapeError(
      `${opName}: a window spanning [${span.join(", ")}] with padding [${spec.padding.join(", ")}] does not fit ` +
        `the input ${formatShape(inputShape)}; the output would be ${outHeight}x${outWidth}. ` +
        `Use a smaller kernel or dilation, or more padding.`,
    );
  }
  return {
    batch,
    channels,
    inHeight,
    inWidth,
    outHeight,
    outWidth,
    kernelHeight: spec.kernel[0],
    kernelWidth: spec.kernel[1],
    strideH: spec.stride[0],
    strideW: spec.stride[1],
    padH: spec.padding[0],
    padW: spec.padding[1],
    dilationH: spec.dilation[0],
    dilationW: spec.dilation[1],
  };
}
