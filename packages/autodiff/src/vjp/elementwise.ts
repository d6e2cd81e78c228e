/**
 * VJP rules of the element-wise ops. For y = f(x), each rule returns
 * dy * f'(x), written with the forward output y where that is cheaper.
 */
import {
  add,
  div,
  equal,
  greater,
  greaterEqual,
  less,
  lessEqual,
  log,
  mul,
  neg,
  pow,
  sign,
  square,
  sub,
  where,
  zerosLike,
} from "@modular/tensor";
import type { Tensor } from "@modular/tensor";
import { registerVjp } from "../registry.js";
import { unbroadcast } from "./helpers.js";

/** Register the rules of every element-wise op. */
export function registerElementwiseVjps(): void {
  type UnaryDerivative = (dy: Tensor, x: Tensor, y: Tensor) => Tensor;

  const unaryRules: Record<string, UnaryDerivative> = {
    neg: (dy) => neg(dy),
    abs: (dy, x) => mul(dy, sign(x)),
    exp: (dy, _x, y) => mul(dy, y),
    log: (dy, x) => div(dy, x),
    log1p: (dy, x) => div(dy, add(x, 1)),
    sqrt: (dy, _x, y) => div(dy, mul(y, 2)),
    rsqrt: (dy, x, y) => mul(dy, mul(div(y, x), -0.5)),
    square: (dy, x) => mul(dy, mul(x, 2)),
    reciprocal: (dy, _x, y) => neg(mul(dy, square(y))),
    relu: (dy, x) => where(greater(x, 0), dy, 0),
    sigmoid: (dy, _x, y) => mul(dy, mul(y, sub(1, y))),
    tanh: (dy, _x, y) => mul(dy, sub(1, square(y))),
  };

  for (const [name, derivative] of Object.entries(unaryRules)) {
    registerVjp(name, (dy, { inputs, output }) => [derivative(dy, inputs[0]!, output)]);
  }

  // Piecewise-constant ops: the derivative is zero almost everywhere.
  for (const name of ["sign", "floor", "ceil"]) {
    registerVjp(name, (dy, { inputs }) => [zerosLike(inputs[0]!)]);
  }

  // Ops with integer outputs carry no gradient.
  for (const name of ["isFinite", "equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual"]) {
    registerVjp(name, (_dy, { inputs }) => inputs.map(() => null));
  }

  // A float32-to-float32 cast is the identity. A cast from or to int32 carries no gradient.
  registerVjp("cast", (dy, { inputs: [x], output }) => [
    x!.dtype === "float32" && output.dtype === "float32" ? dy : null,
  ]);

  registerVjp("add", (dy, { inputs: [a, b] }) => [unbroadcast(dy, a!.shape), unbroadcast(dy, b!.shape)]);

  registerVjp("sub", (dy, { inputs: [a, b], needs }) => [
    unbroadcast(dy, a!.shape),
    needs[1] ? unbroadcast(neg(dy), b!.shape) : null,
  ]);

  registerVjp("mul", (dy, { inputs: [a, b], needs }) => [
    needs[0] ? unbroadcast(mul(dy, b!), a!.shape) : null,
    needs[1] ? unbroadcast(mul(dy, a!), b!.shape) : null,
  ]);

  registerVjp("div", (dy, { inputs: [a, b], needs }) => [
    needs[0] ? unbroadcast(div(dy, b!), a!.shape) : null,
    needs[1] ? unbroadcast(neg(div(mul(dy, a!), square(b!))), b!.shape) : null,
  ]);

  // d(a^b)/da = b a^(b-1); d(a^b)/db = a^b log(a), defined for a > 0.
  registerVjp("pow", (dy, { inputs: [a, b], output, needs }) => [
    needs[0] ? unbroadcast(mul(dy, mul(b!, pow(a!, sub(b!, 1)))), a!.shape) : null,
    needs[1] ? unbroadcast(mul(dy, mul(output, log(a!))), b!.shape) : null,
  ]);

  // Ties send the gradient to `a`, matching the forward pass, which returns `a` on ties.
  registerVjp("maximum", (dy, { inputs: [a, b] }) => [
    unbroadcast(where(greaterEqual(a!, b!), dy, 0), a!.shape),
    unbroadcast(where(less(a!, b!), dy, 0), b!.shape),
  ]);

  registerVjp("minimum", (dy, { inputs: [a, b] }) => [
    unbroadcast(where(lessEqual(a!, b!), dy, 0), a!.shape),
    unbroadcast(where(greater(a!, b!), dy, 0), b!.shape),
  ]);

  registerVjp("where", (dy, { inputs: [condition, a, b] }) => {
    const zero = zerosLike(dy);
    const picked = equal(condition!, 0);
    return [null, unbroadcast(where(picked, zero, dy), a!.shape), unbroadcast(where(picked, dy, zero), b!.shape)];
  });
}
