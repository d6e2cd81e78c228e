/**
 * VJP rules of the convolution and pooling ops. Each op has an adjoint op
 * with the same window (im2col and col2im, gatherPool2d and maxUnpool2d,
 * avgPool2d and avgUnpool2d), and the rule of each is the other. conv2d,
 * conv2dTranspose and conv2dFilterGradient are built from these and
 * matmul, so their gradients need no rules of their own.
 */
import { avgPool2d, avgUnpool2d, col2im, gatherPool2d, im2col, maxUnpool2d } from "@modular/tensor";
import type { Shape, Size2d } from "@modular/tensor";
import { registerVjp } from "../registry.js";

interface WindowAttrs {
  readonly kernel: Size2d;
  readonly stride: Size2d;
  readonly padding: Size2d;
  readonly dilation: Size2d;
}

interface PoolAttrs {
  readonly kernelSize: Size2d;
  readonly stride: Size2d;
  readonly padding: Size2d;
  readonly divide?: boolean;
}

function spatialSize(shape: Shape): [number, number] {
  return [shape[2]!, shape[3]!];
}

/** Register the rules of im2col, col2im and the pooling and unpooling ops. */
export function registerWindowVjps(): void {
  registerVjp("im2col", (dy, { inputs: [x], attrs }) => {
    const { kernel, ...options } = attrs as unknown as WindowAttrs;
    return [col2im(dy, x!.shape, kernel, options)];
  });

  registerVjp("col2im", (dy, { attrs }) => {
    const { kernel, ...options } = attrs as unknown as WindowAttrs;
    return [im2col(dy, kernel, options)];
  });

  // The indices are a piecewise-constant function of the input.
  registerVjp("maxPool2dIndices", () => [null]);

  registerVjp("gatherPool2d", (dy, { inputs: [x, indices], attrs }) => [
    maxUnpool2d(dy, indices!, spatialSize(x!.shape), attrs as unknown as PoolAttrs),
    null,
  ]);

  registerVjp("maxUnpool2d", (dy, { inputs: [, indices], attrs }) => [
    gatherPool2d(dy, indices!, attrs as unknown as PoolAttrs),
    null,
  ]);

  registerVjp("avgPool2d", (dy, { inputs: [x], attrs }) => [
    avgUnpool2d(dy, spatialSize(x!.shape), attrs as unknown as PoolAttrs),
  ]);

  registerVjp("avgUnpool2d", (dy, { attrs }) => [avgPool2d(dy, attrs as unknown as PoolAttrs)]);
}
