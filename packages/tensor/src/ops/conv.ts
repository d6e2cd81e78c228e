/**
 * 2-D convolution on NCHW tensors with OIHW filters, built as im2col plus
 * matmul: `im2col` lays each output position's window out as one row, so a
 * convolution is one matrix product with the filter, and its adjoint
 * `col2im` sums rows back into the image. The transposed convolution and
 * the filter gradient are the same two kernels in the other order, and
 * the gradients of all three follow from the rules of im2col, col2im,
 * matmul, reshape and transpose.
 */
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { formatShape, type Shape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { reshape, transpose } from "./layout.js";
import { matmul } from "./matmul.js";
import { assertFloat, runOp } from "./run.js";
import { assertNchw, pair, type Size2d, slidingExtent, windowOf, type WindowSpec } from "./window.js";

export interface Conv2dOptions {
  /** Step between windows. Default 1. */
  readonly stride?: Size2d;
  /** Zeros added on both sides of each spatial axis. Default 0. */
  readonly padding?: Size2d;
  /** Spacing between the kernel's taps. Default 1. */
  readonly dilation?: Size2d;
}

export interface Conv2dTransposeOptions extends Conv2dOptions {
  /**
   * Extra rows and columns added to the output's bottom and right, each below
   * max(stride, dilation) on its axis. Several output sizes map to one input
   * size under a strided convolution; this picks one. Default 0.
   */
  readonly outputPadding?: Size2d;
  /** Output [height, width]; an alternative to `outputPadding` that states the size directly. */
  readonly outputSize?: readonly [number, number];
}

function windowSpec(kernelSize: Size2d, options: Conv2dOptions, opName: string): WindowSpec {
  return {
    kernel: pair(kernelSize, "kernelSize", opName, 1),
    stride: pair(options.stride ?? 1, "stride", opName, 1),
    padding: pair(options.padding ?? 0, "padding", opName, 0),
    dilation: pair(options.dilation ?? 1, "dilation", opName, 1),
  };
}

/**
 * Extract the sliding windows of `x` [N, C, H, W] as rows of the output
 * [N * OH * OW, C * KH * KW]. Row (n, oh, ow) contains the window of output
 * position (oh, ow), channel-major, with zeros for padding.
 */
export function im2col(x: Tensor, kernelSize: Size2d, options: Conv2dOptions = {}): Tensor {
  assertNchw(x, "input", "im2col");
  assertFloat(x, "im2col");
  const spec = windowSpec(kernelSize, options, "im2col");
  const window = windowOf(x.shape, spec, "im2col");
  const outShape = [window.batch * window.outHeight * window.outWidth, window.channels * spec.kernel[0] * spec.kernel[1]];
  return runOp("im2col", [x], { ...spec }, outShape, "float32", (backend) => backend.im2col(x, window));
}

/**
 * Sum the rows of `cols` [N * OH * OW, C * KH * KW] back into an image of
 * `outputShape` [N, C, H, W], the adjoint of `im2col` with the same window.
 */
export function col2im(cols: Tensor, outputShape: Shape, kernelSize: Size2d, options: Conv2dOptions = {}): Tensor {
  assertFloat(cols, "col2im");
  if (outputShape.length !== 4 || outputShape.some((dim) => !Number.isInteger(dim) || dim < 1)) {
    throw new InvalidArgumentError(
      `col2im: outputShape ${formatShape(outputShape)} is invalid; pass [N, C, H, W] with positive integers.`,
    );
  }
  const spec = windowSpec(kernelSize, options, "col2im");
  const window = windowOf(outputShape, spec, "col2im");
  const expected = [window.batch * window.outHeight * window.outWidth, window.channels * spec.kernel[0] * spec.kernel[1]];
  if (cols.rank !== 2 || cols.shape[0] !== expected[0] || cols.shape[1] !== expected[1]) {
    throw new ShapeError(
      `col2im: cols ${formatShape(cols.shape)} does not match outputShape ${formatShape(outputShape)} and the window; ` +
        `expected ${formatShape(expected)} (N * OH * OW rows of C * KH * KW). Check the kernel size, stride and padding.`,
    );
  }
  return runOp("col2im", [cols], { ...spec }, [...outputShape], "float32", (backend) => backend.col2im(cols, window));
}

function assertFilter(filter: Tensor, opName: string): void {
  if (filter.rank !== 4) {
    throw new ShapeError(
      `${opName}: filter must have rank 4, but got ${formatShape(filter.shape)}. ` +
        `Pass it as [outChannels, inChannels, kernelHeight, kernelWidth].`,
    );
  }
  assertFloat(filter, opName);
}

/**
 * 2-D cross-correlation (the "convolution" of deep learning): `x` [N, C, H, W]
 * with `filter` [O, C, KH, KW] gives [N, O, OH, OW], where
 * OH = floor((H + 2 padH - dilationH (KH - 1) - 1) / strideH) + 1 and OW likewise.
 *
 * NOTE: the im2col matrix takes N * OH * OW * C * KH * KW floats. On webgpu a
 * matrix over the device's maxStorageBufferBindingSize fails with an error
 * naming the limit, so split a large batch before calling.
 */
export function conv2d(x: Tensor, filter: Tensor, options: Conv2dOptions = {}): Tensor {
  assertNchw(x, "input", "conv2d");
  assertFilter(filter, "conv2d");
  const [outChannels, inChannels, kernelHeight, kernelWidth] = filter.shape as [number, number, number, number];
  if (x.shape[1] !== inChannels) {
    throw new ShapeError(
      `conv2d: input ${formatShape(x.shape)} has ${x.shape[1]} channels but filter ${formatShape(filter.shape)} ` +
        `expects ${inChannels}. The filter is [outChannels, inChannels, KH, KW]; match inChannels to the input.`,
    );
  }

  const window = windowOf(x.shape, windowSpec([kernelHeight, kernelWidth], options, "conv2d"), "conv2d");

  // TODO: the filter gradient of this product is one matmul with K = N * OH * OW and a
  // small output ([O, C * KH * KW]), which the webgpu matmul runs on few 64x64 tiles.
  // Split K over images if a hardware GPU profile shows it matters; lavapipe did not.
  const cols = im2col(x, [kernelHeight, kernelWidth], options);
  const weights = reshape(filter, [outChannels, inChannels * kernelHeight * kernelWidth]);
  const rows = matmul(cols, weights, { transposeB: true });
  const nhwc = reshape(rows, [window.batch, window.outHeight, window.outWidth, outChannels]);
  return transpose(nhwc, [0, 3, 1, 2]);
}

/**
 * Transposed convolution, the adjoint of `conv2d` with respect to its input:
 * `x` [N, C, H, W] with `filter` [C, O, KH, KW] gives [N, O, OH, OW], where
 * OH = (H - 1) strideH - 2 padH + dilationH (KH - 1) + outputPaddingH + 1.
 * So `conv2dTranspose(dy, w, options)` is the input gradient of
 * `conv2d(x, w, options)` when `outputSize` is x's size.
 */
export function conv2dTranspose(x: Tensor, filter: Tensor, options: Conv2dTransposeOptions = {}): Tensor {
  const opName = "conv2dTranspose";
  assertNchw(x, "input", opName);
  assertFloat(x, opName);
  assertFilter(filter, opName);
  const [inChannels, outChannels, kernelHeight, kernelWidth] = filter.shape as [number, number, number, number];
  if (x.shape[1] !== inChannels) {
    throw new ShapeError(
      `${opName}: input ${formatShape(x.shape)} has ${x.shape[1]} channels but filter ${formatShape(filter.shape)} ` +
        `expects ${inChannels}. The filter is [inChannels, outChannels, KH, KW] (the conv2d filter it transposes).`,
    );
  }
  const spec = windowSpec([kernelHeight, kernelWidth], options, opName);
  const [batch, , height, width] = x.shape as [number, number, number, number];
  const outputSize = transposedSize([height, width], spec, options, opName);

  const rows = reshape(transpose(x, [0, 2, 3, 1]), [batch * height * width, inChannels]);
  const cols = matmul(rows, reshape(filter, [inChannels, outChannels * kernelHeight * kernelWidth]));
  return col2im(cols, [batch, outChannels, outputSize[0], outputSize[1]], [kernelHeight, kernelWidth], options);
}

/** Output [height, width] of a transposed convolution, checked to map back to `inputSize` under the forward window. */
function transposedSize(
  inputSize: [number, number],
  spec: WindowSpec,
  options: Conv2dTransposeOptions,
  opName: string,
): [number, number] {
  const base = inputSize.map(
    (size, axis) => (size - 1) * spec.stride[axis]! - 2 * spec.padding[axis]! + spec.dilation[axis]! * (spec.kernel[axis]! - 1) + 1,
  );
  let size: [number, number];
  if (options.outputSize !== undefined) {
    if (options.outputPadding !== undefined) {
      throw new InvalidArgumentError(`${opName}: pass outputSize or outputPadding, not both.`);
    }
    size = pair(options.outputSize, "outputSize", opName, 1);
  } else {
    const extra = pair(options.outputPadding ?? 0, "outputPadding", opName, 0);
    size = [base[0]! + extra[0], base[1]! + extra[1]];
  }

  for (let axis = 0; axis < 2; axis++) {
    const forward = slidingExtent(size[axis]!, spec.kernel[axis]!, spec.stride[axis]!, spec.padding[axis]!, spec.dilation[axis]!);
    if (size[axis]! < 1 || forward !== inputSize[axis]) {
      const largest = base[axis]! + Math.max(spec.stride[axis]!, spec.dilation[axis]!) - 1;
      throw new ShapeError(
        `${opName}: output ${axis === 0 ? "height" : "width"} ${size[axis]} does not map back to the input's ` +
          `${inputSize[axis]} under the window (kernel ${spec.kernel[axis]}, stride ${spec.stride[axis]}, ` +
          `padding ${spec.padding[axis]}, dilation ${spec.dilation[axis]}); valid sizes are ${base[axis]} to ${largest}. ` +
          `Fix outputSize or outputPadding.`,
      );
    }
  }
  return size;
}

/**
 * Compute the gradient [O, C, KH, KW] of `conv2d(x, filter, options)` with
 * respect to the filter, for the output cotangent `dy` [N, O, OH, OW].
 */
export function conv2dFilterGradient(x: Tensor, dy: Tensor, kernelSize: Size2d, options: Conv2dOptions = {}): Tensor {
  const opName = "conv2dFilterGradient";
  assertNchw(x, "input", opName);
  assertNchw(dy, "dy", opName);
  assertFloat(x, opName);
  assertFloat(dy, opName);
  const [kernelHeight, kernelWidth] = pair(kernelSize, "kernelSize", opName, 1);
  const window = windowOf(x.shape, windowSpec(kernelSize, options, opName), opName);
  const [batch, outChannels, outHeight, outWidth] = dy.shape as [number, number, number, number];
  if (batch !== window.batch || outHeight !== window.outHeight || outWidth !== window.outWidth) {
    throw new ShapeError(
      `${opName}: dy ${formatShape(dy.shape)} does not match the conv2d output for input ${formatShape(x.shape)}, ` +
        `which is [${window.batch}, O, ${window.outHeight}, ${window.outWidth}]. Pass the same kernel size, stride, ` +
        `padding and dilation as the forward conv2d.`,
    );
  }

  const cols = im2col(x, [kernelHeight, kernelWidth], options);
  const rows = reshape(transpose(dy, [0, 2, 3, 1]), [batch * outHeight * outWidth, outChannels]);
  const product = matmul(rows, cols, { transposeA: true });
  return reshape(product, [outChannels, window.channels, kernelHeight, kernelWidth]);
}
