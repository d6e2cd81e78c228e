/** Conv2d and ConvTranspose2d: shapes, the computation, init, bias, checkpoints and errors. */
import { conv2d, randomNormal, tensor, zeros } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { ConfigError, Conv2d, ConvTranspose2d, loadModule, serializeModule } from "../src/index.js";
import "@modular/testing";

describe("Conv2d", () => {
  test("output shape follows padding and stride", () => {
    expect(new Conv2d(1, 8, 3, { padding: 1 }).forward(zeros([2, 1, 28, 28])).shape).toEqual([2, 8, 28, 28]);
    expect(new Conv2d(3, 4, 3, { stride: 2, padding: 1 }).forward(zeros([1, 3, 7, 7])).shape).toEqual([1, 4, 4, 4]);
    expect(new Conv2d(2, 2, [1, 3], { dilation: [1, 2] }).forward(zeros([1, 2, 5, 9])).shape).toEqual([1, 2, 5, 5]);
  });

  test("adds one bias per output channel", () => {
    const layer = new Conv2d(1, 2, 2);
    layer.weight.assign(tensor([1, 0, 0, 0, 0, 0, 0, 1], [2, 1, 2, 2]));
    layer.bias!.assign(tensor([10, -10]));
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 3, 3]);

    // Channel 0 picks each window's top-left element, channel 1 its bottom-right.
    expect(layer.forward(x)).toBeAllClose([
      [
        [
          [11, 12],
          [14, 15],
        ],
        [
          [-5, -4],
          [-2, -1],
        ],
      ],
    ]);
  });

  test("without bias equals conv2d of its weight", () => {
    const layer = new Conv2d(2, 3, 3, { bias: false, padding: 1, seed: 4 });
    const x = randomNormal([2, 2, 5, 5], { seed: 9 });

    expect(layer.parameters().map((p) => p.name)).toEqual(["weight"]);
    expect(layer.forward(x)).toBeAllClose(conv2d(x, layer.weight.value, { padding: 1 }).arraySync() as number[]);
  });

  test("stores weight [out, in, KH, KW] within the Kaiming-uniform bound", () => {
    const layer = new Conv2d(4, 6, [3, 2]);
    const bound = Math.SQRT2 * Math.sqrt(3 / (4 * 3 * 2));
    const values = Array.from(layer.weight.value.dataSync());

    expect(layer.weight.shape).toEqual([6, 4, 3, 2]);
    expect(layer.bias!.shape).toEqual([6]);
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(bound * 0.8);
    expect(layer.parameterCount()).toBe(6 * 4 * 3 * 2 + 6);
  });

  test("same seed gives the same weights", () => {
    const a = new Conv2d(2, 3, 3, { seed: 7 });
    const b = new Conv2d(2, 3, 3, { seed: 7 });
    const c = new Conv2d(2, 3, 3, { seed: 7, stream: 1 });

    expect(a.weight.value.arraySync()).toEqual(b.weight.value.arraySync());
    expect(c.weight.value.arraySync()).not.toEqual(a.weight.value.arraySync());
  });

  test("round-trips through a checkpoint", async () => {
    const source = new Conv2d(2, 3, 3, { seed: 1 });
    const target = new Conv2d(2, 3, 3, { seed: 2 });

    loadModule(target, await serializeModule(source), "conv.safetensors");

    expect(target.weight.value.arraySync()).toEqual(source.weight.value.arraySync());
  });

  test("rejects an input with the wrong channels", () => {
    const layer = new Conv2d(3, 8, 3);

    expect(() => layer.forward(zeros([2, 1, 8, 8]))).toThrow(ConfigError);
    expect(() => layer.forward(zeros([2, 784]))).toThrow(
      "Conv2d(3 -> 8, 3x3) expects input [N, 3, H, W], but got [2, 784]. Reshape flat samples to [N, C, H, W] or fix inChannels.",
    );
  });

  test.each([
    ["inChannels", () => new Conv2d(0, 2, 3)],
    ["outChannels", () => new Conv2d(1, 2.5, 3)],
    ["kernelSize", () => new Conv2d(1, 2, [3, 0])],
  ])("rejects an invalid %s", (name, build) => {
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(`Conv2d: ${name}`);
  });
});

describe("ConvTranspose2d", () => {
  test("inverts the shape of the matching Conv2d", () => {
    const down = new Conv2d(3, 8, 3, { stride: 2, padding: 1 });
    const up = new ConvTranspose2d(8, 3, 3, { stride: 2, padding: 1, outputPadding: 1 });

    const h = down.forward(zeros([2, 3, 8, 8]));

    expect(h.shape).toEqual([2, 8, 4, 4]);
    expect(up.forward(h).shape).toEqual([2, 3, 8, 8]);
  });

  test("spreads each input over its window", () => {
    const layer = new ConvTranspose2d(1, 1, 2, { stride: 2 });
    layer.weight.assign(tensor([1, 2, 3, 4], [1, 1, 2, 2]));
    layer.bias!.assign(tensor([0.5]));

    expect(layer.forward(tensor([1, -1], [1, 1, 1, 2]))).toBeAllClose([
      [
        [
          [1.5, 2.5, -0.5, -1.5],
          [3.5, 4.5, -2.5, -3.5],
        ],
      ],
    ]);
  });

  test("stores weight [in, out, KH, KW]", () => {
    expect(new ConvTranspose2d(4, 2, 3).weight.shape).toEqual([4, 2, 3, 3]);
  });

  test("rejects an input with the wrong channels", () => {
    expect(() => new ConvTranspose2d(4, 2, 3).forward(zeros([1, 2, 3, 3]))).toThrow(
      /ConvTranspose2d\(4 -> 2, 3x3\) expects input \[N, 4, H, W\]/,
    );
  });
});
