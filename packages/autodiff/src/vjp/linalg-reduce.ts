/** VJP rules of matmul, reductions and softmax. */
import {
  broadcastTo,
  div,
  equal,
  exp,
  matmul,
  mul,
  reshape,
  sub,
  sum,
  cast,
} from "@modular/tensor";
import { registerVjp } from "../registry.js";
import { keptShape } from "./helpers.js";

/** Register the rules of matmul, sum/max/min, softmax and logSoftmax. */
export function registerLinalgReduceVjps(): void {
  // For C = op(A) op(B), each case below writes dA and dB so that they have
  // A's and B's stored shapes, using the transpose flags instead of copies.
  registerVjp("matmul", (dy, { inputs: [a, b], attrs, needs }) => {
    const transposeA = attrs.transposeA === true;
    const transposeB = attrs.transposeB === true;
    let da = null;
    let db = null;
    if (!transposeA && !transposeB) {
      if (needs[0]) da = matmul(dy, b!, { transposeB: true });
      if (needs[1]) db = matmul(a!, dy, { transposeA: true });
    } else if (transposeA && !transposeB) {
      if (needs[0]) da = matmul(b!, dy, { transposeB: true });
      if (needs[1]) db = matmul(a!, dy);
    } else if (!transposeA && transposeB) {
      if (needs[0]) da = matmul(dy, b!);
      if (needs[1]) db = matmul(dy, a!, { transposeA: true });
    } else {
      if (needs[0]) da = matmul(b!, dy, { transposeA: true, transposeB: true });
      if (needs[1]) db = matmul(dy, a!, { transposeA: true, transposeB: true });
    }
    return [da, db];
  });

  registerVjp("sum", (dy, { inputs: [x], attrs }) => {
    const axes = attrs.axes as number[];
    return [broadcastTo(reshape(dy, keptShape(x!.shape, axes)), x!.shape)];
  });

  // The gradient of max/min is split evenly between tied extreme elements.
  for (const name of ["max", "min"]) {
    registerVjp(name, (dy, { inputs: [x], output, attrs }) => {
      const axes = attrs.axes as number[];
      const kept = keptShape(x!.shape, axes);
      const mask = cast(equal(x!, reshape(output, kept)), "float32");
      const ties = sum(mask, { axis: axes, keepDims: true });
      return [mul(mask, div(reshape(dy, kept), ties))];
    });
  }

  for (const name of ["argmax", "argmin"]) {
    registerVjp(name, () => [null]);
  }

  // y = softmax(x): dx = y * (dy - sum(dy * y)).
  registerVjp("softmax", (dy, { output, attrs }) => {
    const axis = attrs.axis as number;
    const dot = sum(mul(dy, output), { axis, keepDims: true });
    return [mul(output, sub(dy, dot))];
  });

  // y = logSoftmax(x): dx = dy - softmax(x) * sum(dy), with softmax(x) = exp(y).
  registerVjp("logSoftmax", (dy, { output, attrs }) => {
    const axis = attrs.axis as number;
    const total = sum(dy, { axis, keepDims: true });
    return [sub(dy, mul(exp(output), total))];
  });
}
