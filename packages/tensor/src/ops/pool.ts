/**
 * 2-D pooling on NCHW tensors and the unpooling ops that invert it:
 * max pooling with its argmax indices, average pooling, global average
 * pooling, and `maxUnpool2d` / `avgUnpool2d`, which take the original
 * spatial size so that odd sizes round-trip exactly.
 *
 * Each op and its adjoint share one window geometry: `gatherPool2d` and
 * `maxUnpool2d` are adjoint, and so are `avgPool2d` and `avgUnpool2d`
 * with the same `divide` flag. Their gradients are each other.
 */
import type { Window2d } from "../backend.js";
import { DTypeError, InvalidArgumentError, ShapeError } from "../errors.js";
import { formatShape, shapesEqual } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { mean } from "./reduce.js";
import { assertFloat, runOp } from "./run.js";
import { assertNchw, pair, type Size2d, windowOf, type WindowSpec } from "./window.js";

export interface Pool2dOptions {
  /** Window [height, width]. */
  readonly kernelSize: Size2d;
  /** Step between windows. Default `kernelSize`, so windows do not overlap. */
  readonly stride?: Size2d;
  /** Implicit padding on both sides, at most half the kernel. Padding never wins a max or counts in an average. Default 0. */
  readonly padding?: Size2d;
}

export interface AvgPool2dOptions extends Pool2dOptions {
  /** Divide each window's sum by its count of in-bounds elements. Default true; false gives sum pooling. */
  readonly divide?: boolean;
}

export interface AvgUnpool2dOptions extends Pool2dOptions {
  /**
   * Divide each value by its window's in-bounds count before spreading it.
   * Default false: each value is copied to every position of its window, so
   * `avgPool2d(avgUnpool2d(y, size, o), o)` equals `y` for windows that do
   * not overlap. True gives the adjoint (the gradient) of `avgPool2d`.
   */
  readonly divide?: boolean;
}

/** Result of `maxPool2d`. */
export interface MaxPool2dResult {
  /** The maximum of each window, [N, C, OH, OW]. */
  readonly values: Tensor;
  /** int32 [N, C, OH, OW]: the position of each maximum as a flat index h * W + w into its input plane. */
  readonly indices: Tensor;
}

function poolSpec(options: Pool2dOptions, opName: string): WindowSpec {
  const kernel = pair(options.kernelSize, "kernelSize", opName, 1);
  const padding = pair(options.padding ?? 0, "padding", opName, 0);
  padding.forEach((pad, axis) => {
    if (pad > Math.floor(kernel[axis]! / 2)) {
      throw new InvalidArgumentError(
        `${opName}: padding ${pad} exceeds half the kernel size ${kernel[axis]} on the ${axis === 0 ? "height" : "width"} ` +
          `axis, so a window could cover only padding. Use padding <= ${Math.floor(kernel[axis]! / 2)}.`,
      );
    }
  });
  return {
    kernel,
    stride: pair(options.stride ?? kernel, "stride", opName, 1),
    padding,
    dilation: [1, 1],
  };
}

/** Attributes recorded with every pooling op, enough to rebuild its options. */
function poolAttrs(spec: WindowSpec): Record<string, unknown> {
  return { kernelSize: spec.kernel, stride: spec.stride, padding: spec.padding };
}

function checkedInput(x: Tensor, options: Pool2dOptions, opName: string): Window2d {
  assertNchw(x, "input", opName);
  assertFloat(x, opName);
  return windowOf(x.shape, poolSpec(options, opName), opName);
}

/**
 * Max pooling of `x` [N, C, H, W]: the values and the argmax indices of each
 * window. Ties take the first position in row-major order.
 */
export function maxPool2d(x: Tensor, options: Pool2dOptions): MaxPool2dResult {
  const window = checkedInput(x, options, "maxPool2d");
  const spec = poolSpec(options, "maxPool2d");
  const shape = [window.batch, window.channels, window.outHeight, window.outWidth];
  const indices = runOp("maxPool2dIndices", [x], poolAttrs(spec), shape, "int32", (backend) =>
    backend.maxPool2dIndices(x, window),
  );
  const attrs = poolAttrs(spec);
  const values = runOp("gatherPool2d", [x, indices], attrs, shape, "float32", (backend) =>
    backend.gatherPool2d(x, indices, window),
  );
  return { values, indices };
}

/**
 * Pick `x` [N, C, H, W] at pooling `indices` (int32 [N, C, OH, OW], flat per
 * plane, as `maxPool2d` returns them). Used with indices recorded on another
 * tensor, it pools `x` where that tensor had its maxima.
 */
export function gatherPool2d(x: Tensor, indices: Tensor, options: Pool2dOptions): Tensor {
  const window = checkedInput(x, options, "gatherPool2d");
  const shape = [window.batch, window.channels, window.outHeight, window.outWidth];
  assertIndices(indices, shape, "gatherPool2d");
  assertIndicesInPlane(indices, window.inHeight * window.inWidth);
  return runOp("gatherPool2d", [x, indices], poolAttrs(poolSpec(options, "gatherPool2d")), shape, "float32", (backend) =>
    backend.gatherPool2d(x, indices, window),
  );
}

function assertIndices(indices: Tensor, shape: readonly number[], opName: string): void {
  if (indices.dtype !== "int32") {
    throw new DTypeError(
      `${opName}: indices must be int32 (as maxPool2d returns them), but got ${indices.dtype} ${formatShape(indices.shape)}.`,
    );
  }
  if (!shapesEqual(indices.shape, shape)) {
    throw new ShapeError(
      `${opName}: indices ${formatShape(indices.shape)} must have the pooled shape ${formatShape(shape)}. ` +
        `Pass the indices maxPool2d returned together with these values.`,
    );
  }
}

/**
 * Throw when an index lies outside its [H * W] plane, which a GPU read would
 * not report. Runs where the indices are readable without a device readback
 * (the cpu backend, small uploads on webgpu), like the checks of `gather`.
 */
function assertIndicesInPlane(indices: Tensor, planeSize: number): void {
  const values =
    indices.backend.readSync === undefined ? indices.backend.hostCopy?.(indices.storage) : indices.dataSync();
  if (values === undefined) return;
  for (let i = 0; i < values.length; i++) {
    const index = values[i]!;
    if (index < 0 || index >= planeSize) {
      throw new InvalidArgumentError(
        `gatherPool2d: index ${index} at position ${i} is outside its plane [0, ${planeSize}). ` +
          `Pass indices that maxPool2d returned for an input of this spatial size.`,
      );
    }
  }
}

/**
 * Window geometry of unpooling `values` [N, C, OH, OW] back to `outputSize`
 * [H, W], checked so that pooling [H, W] with these options gives [OH, OW].
 */
function unpoolWindow(values: Tensor, outputSize: readonly [number, number], options: Pool2dOptions, opName: string): Window2d {
  assertNchw(values, "values", opName);
  assertFloat(values, opName);
  const [height, width] = pair(outputSize, "outputSize", opName, 1);
  const [batch, channels] = values.shape as [number, number];
  const window = windowOf([batch, channels, height, width], poolSpec(options, opName), opName);
  if (window.outHeight !== values.shape[2] || window.outWidth !== values.shape[3]) {
    throw new ShapeError(
      `${opName}: pooling a ${height}x${width} input with these options gives ${window.outHeight}x${window.outWidth}, ` +
        `but values is ${formatShape(values.shape)}. Pass the spatial size of the tensor that was pooled, and the same ` +
        `kernelSize, stride and padding.`,
    );
  }
  return window;
}

/**
 * Place each of `values` [N, C, OH, OW] at its recorded argmax position in
 * zeros of [N, C, H, W], where `outputSize` is [H, W] of the pooled input.
 * Positions that no window chose stay zero (with an odd size, the last row
 * or column may belong to no window). Where overlapping windows chose one
 * position, their values add up, which makes this the adjoint (and the
 * gradient) of `gatherPool2d`. An index outside its own window is ignored.
 */
export function maxUnpool2d(
  values: Tensor,
  indices: Tensor,
  outputSize: readonly [number, number],
  options: Pool2dOptions,
): Tensor {
  const window = unpoolWindow(values, outputSize, options, "maxUnpool2d");
  assertIndices(indices, values.shape, "maxUnpool2d");
  const shape = [window.batch, window.channels, window.inHeight, window.inWidth];
  return runOp("maxUnpool2d", [values, indices], poolAttrs(poolSpec(options, "maxUnpool2d")), shape, "float32", (backend) =>
    backend.maxUnpool2d(values, indices, window),
  );
}

/**
 * Average pooling of `x` [N, C, H, W] to [N, C, OH, OW]. Each window is
 * divided by its count of in-bounds elements, so padding does not pull
 * averages toward zero.
 */
export function avgPool2d(x: Tensor, options: AvgPool2dOptions): Tensor {
  const window = checkedInput(x, options, "avgPool2d");
  const divide = options.divide ?? true;
  const attrs = { ...poolAttrs(poolSpec(options, "avgPool2d")), divide };
  const shape = [window.batch, window.channels, window.outHeight, window.outWidth];
  return runOp("avgPool2d", [x], attrs, shape, "float32", (backend) => backend.avgPool2d(x, window, divide));
}

/**
 * Spread each of `values` [N, C, OH, OW] over its pooling window in zeros of
 * [N, C, H, W], where `outputSize` is [H, W] of the pooled input. Positions
 * in no window stay zero; positions in several windows sum them.
 */
export function avgUnpool2d(values: Tensor, outputSize: readonly [number, number], options: AvgUnpool2dOptions): Tensor {
  const window = unpoolWindow(values, outputSize, options, "avgUnpool2d");
  const divide = options.divide ?? false;
  const attrs = { ...poolAttrs(poolSpec(options, "avgUnpool2d")), divide };
  const shape = [window.batch, window.channels, window.inHeight, window.inWidth];
  return runOp("avgUnpool2d", [values], attrs, shape, "float32", (backend) => backend.avgUnpool2d(values, window, divide));
}

export interface GlobalAvgPool2dOptions {
  /** Keep the pooled axes as [N, C, 1, 1]. Default false: [N, C]. */
  readonly keepDims?: boolean;
}

/** Mean of each channel of `x` [N, C, H, W] over its spatial axes. */
export function globalAvgPool2d(x: Tensor, options: GlobalAvgPool2dOptions = {}): Tensor {
  assertNchw(x, "input", "globalAvgPool2d");
  assertFloat(x, "globalAvgPool2d");
  return mean(x, { axis: [2, 3], keepDims: options.keepDims ?? false });
}
