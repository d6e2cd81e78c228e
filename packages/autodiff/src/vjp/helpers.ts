/** Shared pieces of VJP rules. */
import { type Shape, reshape, shapesEqual, sum } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";

/**
 * Sum a cotangent over the dimensions that broadcasting expanded, so it gets
 * the operand's own `shape` back.
 */
export function unbroadcast(dy: Tensor, shape: Shape): Tensor {
  if (shapesEqual(dy.shape, shape)) return dy;
  const offset = dy.rank - shape.length;
  const axes: number[] = [];
  for (let axis = 0; axis < dy.rank; axis++) {
    const own = axis - offset;
    if (own < 0 || (shape[own] === 1 && dy.shape[axis] !== 1)) axes.push(axis);
  }
  const summed = axes.length > 0 ? sum(dy, { axis: axes, keepDims: true }) : dy;
  return reshape(summed, shape);
}

/** Return the shape of a reduction's output with its reduced axes kept as size 1. */
export function keptShape(inputShape: Shape, axes: readonly number[]): number[] {
  return inputShape.map((dim, axis) => (axes.includes(axis) ? 1 : dim));
}
