/** VJP rules of the shape and data-movement ops. */
import { concat, gather, reshape, scatterAdd, slice, transpose, zeros } from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { registerVjp } from "../registry.js";

/** Place `dy` at `begin` inside zeros of `shape`: the adjoint of `slice`. */
function padInto(dy: Tensor, begin: readonly number[], shape: readonly number[]): Tensor {
  let out = dy;
  for (let axis = 0; axis < shape.length; axis++) {
    const before = begin[axis]!;
    const after = shape[axis]! - before - dy.shape[axis]!;
    if (before === 0 && after === 0) continue;
    const parts: Tensor[] = [];
    const padShape = (size: number): number[] => out.shape.map((dim, i) => (i === axis ? size : dim));
    if (before > 0) parts.push(zeros(padShape(before), dy.dtype));
    parts.push(out);
    if (after > 0) parts.push(zeros(padShape(after), dy.dtype));
    out = concat(parts, axis);
  }
  return out;
}

/** Register the rules of reshape, transpose, slice, concat, gather, scatterAdd and oneHot. */
export function registerLayoutVjps(): void {
  registerVjp("reshape", (dy, { inputs: [x] }) => [reshape(dy, x!.shape)]);

  registerVjp("transpose", (dy, { attrs }) => {
    const perm = attrs.perm as number[];
    const inverse = new Array<number>(perm.length);
    perm.forEach((axis, i) => {
      inverse[axis] = i;
    });
    return [transpose(dy, inverse)];
  });

  registerVjp("slice", (dy, { inputs: [x], attrs }) => [padInto(dy, attrs.begin as number[], x!.shape)]);

  registerVjp("concat", (dy, { inputs, attrs, needs }) => {
    const axis = attrs.axis as number;
    let offset = 0;
    return inputs.map((input, i) => {
      const begin = input.shape.map((_, a) => (a === axis ? offset : 0));
      offset += input.shape[axis]!;
      return needs[i] ? slice(dy, begin, input.shape) : null;
    });
  });

  registerVjp("gather", (dy, { inputs: [x, indices], attrs }) => [
    scatterAdd(dy, indices!, attrs.axis as number, x!.shape),
    null,
  ]);

  registerVjp("scatterAdd", (dy, { inputs: [, indices], attrs }) => [gather(dy, indices!, attrs.axis as number), null]);

  registerVjp("oneHot", () => [null]);
}
