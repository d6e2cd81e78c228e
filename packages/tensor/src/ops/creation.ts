/** Creating tensors: from values, constant fills, and seeded random draws. */
import type { RandomKey } from "../backend.js";
import type { DType, TypedArray } from "../dtype.js";
import { getBackend } from "../engine.js";
import { InvalidArgumentError, ShapeError } from "../errors.js";
import { randomKey } from "../random/philox.js";
import { assertValidShape, formatShape, type Shape, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import type { NestedArray } from "../tensor.js";
import { runOp } from "./run.js";

function flatten(values: NestedArray | readonly number[], out: number[], shape: number[], depth: number): void {
  if (typeof values === "number") {
    out.push(values);
    return;
  }
  if (shape.length <= depth) shape.push(values.length);
  else if (shape[depth] !== values.length) {
    throw new ShapeError(
      `tensor(): nested arrays are ragged at depth ${depth} (lengths ${shape[depth]} and ${values.length}).`,
    );
  }
  for (const item of values) flatten(item as NestedArray, out, shape, depth + 1);
}

/**
 * Create a tensor from values. `values` is a typed array, a flat array, nested
 * arrays or a number. `shape` defaults to the nesting of `values`; `dtype`
 * defaults to int32 for an `Int32Array` and float32 otherwise.
 */
export function tensor(
  values: TypedArray | NestedArray | readonly number[],
  shape?: Shape,
  dtype?: DType,
): Tensor {
  let flat: TypedArray | number[];
  let inferredShape: number[] = [];
  if (values instanceof Float32Array || values instanceof Int32Array) {
    flat = values;
    inferredShape = [values.length];
  } else {
    flat = [];
    flatten(values as NestedArray, flat, inferredShape, 0);
  }
  const finalShape = shape ?? inferredShape;
  assertValidShape(finalShape);
  if (sizeOf(finalShape) !== flat.length) {
    throw new ShapeError(
      `tensor(): ${flat.length} values do not fill shape ${formatShape(finalShape)} ` +
        `(which holds ${sizeOf(finalShape)}).`,
    );
  }
  const finalDtype = dtype ?? (values instanceof Int32Array ? "int32" : "float32");
  // `upload` copies, so a typed array of the right dtype is passed as is.
  let typed: TypedArray;
  if (finalDtype === "float32") typed = flat instanceof Float32Array ? flat : Float32Array.from(flat);
  else typed = flat instanceof Int32Array ? flat : Int32Array.from(flat);
  const backend = getBackend();
  return new Tensor(backend.upload(typed, finalDtype), finalShape, finalDtype, backend);
}

/** Create a rank-0 tensor. */
export function scalar(value: number, dtype: DType = "float32"): Tensor {
  return tensor([value], [], dtype);
}

/** Create a tensor of `shape` with every element equal to `value`. */
export function full(shape: Shape, value: number, dtype: DType = "float32"): Tensor {
  assertValidShape(shape);
  return runOp("full", [], { value }, shape, dtype, (backend) => backend.fill(sizeOf(shape), value, dtype));
}

export function zeros(shape: Shape, dtype: DType = "float32"): Tensor {
  return full(shape, 0, dtype);
}

export function ones(shape: Shape, dtype: DType = "float32"): Tensor {
  return full(shape, 1, dtype);
}

export function zerosLike(x: Tensor): Tensor {
  return full(x.shape, 0, x.dtype);
}

export function onesLike(x: Tensor): Tensor {
  return full(x.shape, 1, x.dtype);
}

/** Options of a seeded random draw. `stream` separates draws that share a seed. */
export interface RandomOptions {
  readonly seed: number;
  readonly stream?: number;
}

function keyOf(options: RandomOptions, opName: string): RandomKey {
  for (const [name, value] of [["seed", options.seed], ["stream", options.stream ?? 0]] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new InvalidArgumentError(
        `${opName}: ${name} ${value} is invalid; it must be an integer from 0 to 4294967295.`,
      );
    }
  }
  return randomKey(options.seed, options.stream ?? 0);
}

/** Uniform values in [low, high), counter-based: the same seed gives the same values on every backend. */
export function randomUniform(shape: Shape, options: RandomOptions & { low?: number; high?: number }): Tensor {
  assertValidShape(shape);
  const key = keyOf(options, "randomUniform");
  const draw = runOp("randomUniform", [], {}, shape, "float32", (backend) =>
    backend.random("uniform", key, sizeOf(shape)),
  );
  const low = options.low ?? 0;
  const high = options.high ?? 1;
  if (low === 0 && high === 1) return draw;
  return affine(draw, high - low, low);
}

/** Normal values with `mean` (default 0) and `std` (default 1), counter-based like `randomUniform`. */
export function randomNormal(shape: Shape, options: RandomOptions & { mean?: number; std?: number }): Tensor {
  assertValidShape(shape);
  const key = keyOf(options, "randomNormal");
  const draw = runOp("randomNormal", [], {}, shape, "float32", (backend) =>
    backend.random("normal", key, sizeOf(shape)),
  );
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  if (mean === 0 && std === 1) return draw;
  return affine(draw, std, mean);
}

/** x * scale + shift, disposing `x` and the temporaries. */
function affine(x: Tensor, scale: number, shift: number): Tensor {
  const backend = x.backend;
  const scaleT = new Tensor(backend.fill(1, scale, "float32"), [], "float32", backend);
  const shiftT = new Tensor(backend.fill(1, shift, "float32"), [], "float32", backend);
  const scaled = new Tensor(backend.binary("mul", x, scaleT, x.shape), x.shape, "float32", backend);
  const out = new Tensor(backend.binary("add", scaled, shiftT, x.shape), x.shape, "float32", backend);
  for (const t of [x, scaleT, shiftT, scaled]) t.dispose();
  return out;
}
