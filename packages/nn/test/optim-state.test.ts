/** Optimizer state for checkpoints: saveState and loadState. */
import { type Tensor, tensor } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { Adam, ConfigError, type NamedParameter, type Optimizer, Parameter, SGD, type TensorData } from "../src/index.js";

/** Apply the gradients 1, 2, −1 to θ₀ = 1 one at a time, returning θ after each step. */
function steps(optimizer: Optimizer, theta: Parameter, gradients: readonly number[]): number[] {
  return gradients.map((g) => {
    optimizer.step([theta], [tensor([g])]);
    return theta.value.dataSync()[0]!;
  });
}

/** Copy saved state tensors into host arrays, as a checkpoint file stores them. */
function toHost(state: Map<string, Tensor>): Map<string, TensorData> {
  return new Map(
    [...state].map(([key, value]) => [
      key,
      { dtype: value.dtype as "float32" | "int32", shape: [...value.shape], data: value.dataSync() as Float32Array | Int32Array },
    ]),
  );
}

describe.each<[string, () => Optimizer, string[]]>([
  ["Adam", () => new Adam({ lr: 0.1 }), ["m/theta", "v/theta", "t/theta"]],
  ["SGD with momentum", () => new SGD({ lr: 0.1, momentum: 0.9 }), ["velocity/theta"]],
])("%s state", (_name, create, keys) => {
  test("saves one entry per slot", () => {
    const optimizer = create();
    const theta = new Parameter(tensor([1]), "theta");
    steps(optimizer, theta, [1]);

    expect([...optimizer.saveState!([["theta", theta]]).keys()]).toEqual(keys);
  });

  test("continues the trajectory after a reload", () => {
    const straight = create();
    const thetaStraight = new Parameter(tensor([1]), "theta");
    const expected = steps(straight, thetaStraight, [1, 2, -1]);

    const first = create();
    const theta = new Parameter(tensor([1]), "theta");
    steps(first, theta, [1]);
    const saved = toHost(first.saveState!([["theta", theta]]));
    const second = create();
    const reloaded = new Parameter(tensor(Array.from(theta.value.dataSync())), "theta");
    second.loadState!([["theta", reloaded]], saved);

    expect(steps(second, reloaded, [2, -1])).toEqual(expected.slice(1));
  });

  test("rejects an entry of an unknown parameter", () => {
    const optimizer = create();
    const theta = new Parameter(tensor([1]), "theta");
    steps(optimizer, theta, [1]);
    const saved = toHost(optimizer.saveState!([["theta", theta]]));
    const other: NamedParameter[] = [["phi", new Parameter(tensor([1]), "phi")]];

    expect(() => create().loadState!(other, saved)).toThrow(ConfigError);
  });
});

test("loadState rejects a shape mismatch", () => {
  const optimizer = new SGD({ lr: 0.1, momentum: 0.9 });
  const state = new Map<string, TensorData>([["velocity/w", { dtype: "float32", shape: [3], data: new Float32Array(3) }]]);

  expect(() => optimizer.loadState([["w", new Parameter(tensor([1, 2]), "w")]], state)).toThrow(
    /"velocity\/w" has shape \[3\], but parameter "w" has shape \[2\]/,
  );
});
