/** Linear, the element-wise activations and Flatten. */
import { tensor, zeros } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { ConfigError, Flatten, Linear, ReLU, Sigmoid, Tanh } from "../src/index.js";
import "@modular/testing";

describe("Linear", () => {
  test("output shape is [N, outFeatures]", () => {
    const layer = new Linear(5, 3);

    expect(layer.forward(zeros([4, 5])).shape).toEqual([4, 3]);
  });

  test("computes x W + b", () => {
    const layer = new Linear(3, 2);
    layer.weight.assign(tensor([[1, 2], [3, 4], [5, 6]]));
    layer.bias!.assign(tensor([0.5, -1]));
    const x = tensor([[1, 0, -1], [2, 1, 0.5]]);

    // Row 0: [1 - 5, 2 - 6] + b = [-3.5, -5]. Row 1: [2 + 3 + 2.5, 4 + 4 + 3] + b = [8, 10].
    expect(layer.forward(x)).toBeAllClose([[-3.5, -5], [8, 10]]);
  });

  test("without bias computes x W", () => {
    const layer = new Linear(2, 2, { bias: false });
    layer.weight.assign(tensor([[1, -1], [2, 0.5]]));

    expect(layer.bias).toBeUndefined();
    expect(layer.parameters().map((p) => p.name)).toEqual(["weight"]);
    expect(layer.forward(tensor([[3, 4]]))).toBeAllClose([[11, -1]]);
  });

  test("stores weight [in, out] and a zero bias", () => {
    const layer = new Linear(4, 3);

    expect(layer.weight.shape).toEqual([4, 3]);
    expect(layer.bias!.value).toBeAllClose([0, 0, 0]);
    expect(layer.parameterCount()).toBe(4 * 3 + 3);
  });

  test("rejects an input of the wrong width", () => {
    const layer = new Linear(784, 10);

    expect(() => layer.forward(zeros([2, 1, 28, 28]))).toThrow(ConfigError);
    expect(() => layer.forward(zeros([2, 100]))).toThrow(
      "Linear(784 -> 10) expects input [N, 784], but got [2, 100]. Add a Flatten layer before it or fix inFeatures.",
    );
  });

  test.each([
    ["inFeatures", 0, 3],
    ["inFeatures", 2.5, 3],
    ["outFeatures", 3, -1],
  ])("rejects %s that is not a positive integer", (name, inFeatures, outFeatures) => {
    expect(() => new Linear(inFeatures, outFeatures)).toThrow(ConfigError);
    expect(() => new Linear(inFeatures, outFeatures)).toThrow(`Linear: ${name}`);
  });

  test("same seed gives the same weights", () => {
    const a = new Linear(6, 4, { seed: 7 });
    const b = new Linear(6, 4, { seed: 7 });
    const c = new Linear(6, 4, { seed: 7, stream: 1 });

    expect(a.weight.value.arraySync()).toEqual(b.weight.value.arraySync());
    expect(c.weight.value.arraySync()).not.toEqual(a.weight.value.arraySync());
  });

  test("describes its widths", () => {
    expect(new Linear(784, 256).describe()).toBe("Linear(784 -> 256)");
  });
});

describe("activations", () => {
  const x = [-2, -0.5, 0, 1.5];

  test.each([
    ["ReLU", new ReLU(), (v: number) => Math.max(0, v)],
    ["Tanh", new Tanh(), Math.tanh],
    ["Sigmoid", new Sigmoid(), (v: number) => 1 / (1 + Math.exp(-v))],
  ])("%s is applied element-wise", (_, layer, f) => {
    expect(layer.forward(tensor([x, x]))).toBeAllClose([x.map(f), x.map(f)]);
  });

  test("have no parameters", () => {
    for (const layer of [new ReLU(), new Tanh(), new Sigmoid(), new Flatten()]) {
      expect(layer.parameterCount()).toBe(0);
    }
  });
});

describe("Flatten", () => {
  test("turns [N, 1, 28, 28] into [N, 784]", () => {
    expect(new Flatten().forward(zeros([3, 1, 28, 28])).shape).toEqual([3, 784]);
  });

  test("shares the input's storage", () => {
    const x = zeros([2, 3, 4]);
    const flat = new Flatten().forward(x);

    expect(flat.storage).toBe(x.storage);
  });

  test("keeps row-major order", () => {
    const x = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);

    expect(new Flatten().forward(x)).toBeAllClose([[1, 2, 3, 4], [5, 6, 7, 8]]);
  });

  test("returns a rank-2 input unchanged", () => {
    const x = zeros([2, 5]);

    expect(new Flatten().forward(x)).toBe(x);
  });
});
