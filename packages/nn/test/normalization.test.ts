/** BatchNorm1d and BatchNorm2d: batch statistics, running statistics, modes, gradients and checkpoints. */
import { checkGradients } from "@modular/autodiff";
import { Dataset } from "@modular/datasets";
import { memory, mul, sum, type Tensor, tensor, tidy, zeros } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import {
  BatchNorm1d,
  BatchNorm2d,
  CheckpointFormatError,
  ConfigError,
  evaluate,
  Flatten,
  Linear,
  loadModule,
  Module,
  parseSafetensors,
  Sequential,
  serializeModule,
} from "../src/index.js";
import "@modular/testing";
import { describeOnBackends, fixture } from "./backends.js";

/** Mean and biased variance of each channel of a host array laid out [N, C, ...spatial]. */
function channelStatistics(values: ArrayLike<number>, shape: readonly number[]): { mean: number[]; variance: number[] } {
  const [n, c] = shape as [number, number];
  const spatial = values.length / (n * c);
  const mean: number[] = [];
  const variance: number[] = [];
  for (let channel = 0; channel < c; channel++) {
    const items: number[] = [];
    for (let sample = 0; sample < n; sample++) {
      for (let s = 0; s < spatial; s++) items.push(values[(sample * c + channel) * spatial + s]!);
    }
    const m = items.reduce((acc, v) => acc + v, 0) / items.length;
    mean.push(m);
    variance.push(items.reduce((acc, v) => acc + (v - m) ** 2, 0) / items.length);
  }
  return { mean, variance };
}

/** Values of `shape` whose channel c has scale c + 1 and offset 3c, so channels differ clearly. */
function channelData(shape: readonly number[], seed: number): number[] {
  const [, c] = shape as [number, number];
  const spatial = shape.slice(2).reduce((acc, d) => acc * d, 1);
  return fixture(shape.reduce((acc, d) => acc * d, 1), seed).map((v, i) => {
    const channel = Math.floor(i / spatial) % c;
    return v * (channel + 1) + 3 * channel;
  });
}

/** sum(layer(x) · r) for a layer with the given weight and bias: a scalar whose gradient reaches every output element. */
function projectedBatchNorm(
  make: () => BatchNorm1d | BatchNorm2d,
  x: Tensor,
  weight: Tensor,
  bias: Tensor,
  projection: Tensor,
): Tensor {
  const layer = make();
  layer.weight!.assign(weight);
  layer.bias!.assign(bias);
  const y = layer.forward(x);
  layer.runningMean.dispose();
  layer.runningVar.dispose();
  return sum(mul(y, projection));
}

describeOnBackends("BatchNorm", () => {
  test.each([
    ["BatchNorm1d", [8, 3]],
    ["BatchNorm2d", [4, 3, 2, 3]],
  ] as const)("%s normalizes a batch per channel", async (kind, shape) => {
    const layer = kind === "BatchNorm1d" ? new BatchNorm1d(3) : new BatchNorm2d(3);
    const x = tensor(channelData(shape, 1), shape);

    const y = layer.forward(x);

    expect(y.shape).toEqual(shape);
    const { mean, variance } = channelStatistics(await y.data(), shape);
    expect(mean).toBeAllClose([0, 0, 0], { atol: 1e-5 });
    // The biased variance of the output is var / (var + epsilon), within 1e-4 of 1 for these inputs.
    expect(variance).toBeAllClose([1, 1, 1], { atol: 1e-4 });
  });

  test("weight and bias scale and shift each channel", async () => {
    const layer = new BatchNorm2d(2);
    layer.weight!.assign(tensor([2, -0.5]));
    layer.bias!.assign(tensor([1, 3]));
    const shape = [3, 2, 2, 2];

    const y = layer.forward(tensor(channelData(shape, 2), shape));

    const { mean, variance } = channelStatistics(await y.data(), shape);
    expect(mean).toBeAllClose([1, 3], { atol: 1e-5 });
    expect(variance).toBeAllClose([4, 0.25], { rtol: 1e-3 });
  });

  test("one step blends batch statistics by momentum", async () => {
    const layer = new BatchNorm1d(3, { momentum: 0.25 });
    const shape = [6, 3];
    const values = channelData(shape, 3);

    layer.forward(tensor(values, shape));

    const { mean, variance } = channelStatistics(values, shape);
    const unbiased = variance.map((v) => (v * 6) / 5);
    expect(await layer.runningMean.value.data()).toBeAllClose(mean.map((m) => 0.25 * m), { rtol: 1e-5, atol: 1e-6 });
    expect(await layer.runningVar.value.data()).toBeAllClose(unbiased.map((v) => 0.75 + 0.25 * v), { rtol: 1e-5 });
  });

  test("running statistics converge to the data's", async () => {
    const layer = new BatchNorm2d(3);
    const shape = [4, 3, 2, 2];
    const batches = [0, 1, 2, 3].map((seed) => channelData(shape, 10 + seed));

    // 200 steps at momentum 0.1 leave 0.9^200 ≈ 7e-10 of the initial values.
    for (let step = 0; step < 200; step++) {
      const batch = tensor(batches[step % 4]!, shape);
      layer.forward(batch).dispose();
      batch.dispose();
    }

    // With a cycle of 4 batches the running statistics end at a weighted sum
    // of the batch statistics, with the most weight on the last batch.
    const weights = [3, 2, 1, 0].map((age) => 0.1 * 0.9 ** age / (1 - 0.9 ** 4));
    const expectedMean = [0, 1, 2].map((c) =>
      [0, 1, 2, 3].reduce((acc, b) => acc + weights[b]! * channelStatistics(batches[b]!, shape).mean[c]!, 0),
    );
    const expectedVar = [0, 1, 2].map((c) =>
      [0, 1, 2, 3].reduce((acc, b) => acc + (weights[b]! * channelStatistics(batches[b]!, shape).variance[c]! * 16) / 15, 0),
    );
    expect(await layer.runningMean.value.data()).toBeAllClose(expectedMean, { rtol: 1e-4, atol: 1e-5 });
    expect(await layer.runningVar.value.data()).toBeAllClose(expectedVar, { rtol: 1e-4 });
  });

  test("repeated steps keep memory flat", async () => {
    const layer = new BatchNorm2d(3);
    const shape = [4, 3, 2, 2];
    const x = tensor(channelData(shape, 20), shape);
    const step = () => tidy(() => sum(layer.forward(x)).dispose());

    step();
    const before = memory();
    for (let i = 0; i < 10; i++) step();

    expect(memory()).toEqual(before);
  });

  test("eval mode uses the running statistics", async () => {
    const layer = new BatchNorm1d(2);
    layer.runningMean.assign(tensor([1, -2]));
    layer.runningVar.assign(tensor([4, 0.25]));
    layer.weight!.assign(tensor([3, 1]));
    layer.bias!.assign(tensor([0.5, 0]));
    layer.eval();

    const y = layer.forward(tensor([[1, -2], [3, -1], [-1, -2.5]]));

    // Channel 0: (x - 1) / √(4 + 1e-5) · 3 + 0.5. Channel 1: (x + 2) / √(0.25 + 1e-5).
    const s0 = 3 / Math.sqrt(4 + 1e-5);
    const s1 = 1 / Math.sqrt(0.25 + 1e-5);
    expect(await y.data()).toBeAllClose([0.5, 0, 2 * s0 + 0.5, s1, -2 * s0 + 0.5, -0.5 * s1], { rtol: 1e-5 });
    expect(await layer.runningMean.value.data()).toBeAllClose([1, -2]);
    expect(await layer.runningVar.value.data()).toBeAllClose([4, 0.25]);
  });

  test.each([
    ["BatchNorm1d", [5, 3]],
    ["BatchNorm2d", [2, 2, 2, 2]],
  ] as const)("%s gradient matches finite differences", async (kind, shape) => {
    const channels = shape[1];
    const make = () => (kind === "BatchNorm1d" ? new BatchNorm1d(channels) : new BatchNorm2d(channels));
    const x = tensor(channelData(shape, 4), shape);
    const weight = tensor(fixture(channels, 5, 0.5, 2));
    const bias = tensor(fixture(channels, 6));
    const projection = tensor(fixture(x.size, 7), shape);

    const result = await checkGradients((xs, w, b) => projectedBatchNorm(make, xs!, w!, b!, projection), [x, weight, bias]);

    expect(result.ok, result.worst).toBe(true);
    // The gradient must not vanish: the projection is not constant, so x moves the loss.
    expect(Math.max(...Array.from(result.analytic[0]!, Math.abs))).toBeGreaterThan(0.01);
  });

  test("eval-mode gradient matches finite differences", async () => {
    const shape = [3, 2];
    const make = () => {
      const layer = new BatchNorm1d(2).eval();
      layer.runningMean.assign(tensor([0.5, -1]));
      layer.runningVar.assign(tensor([2, 0.5]));
      return layer;
    };
    const x = tensor(fixture(6, 8), shape);
    const projection = tensor(fixture(6, 9), shape);

    const result = await checkGradients((xs, w, b) => projectedBatchNorm(make, xs!, w!, b!, projection), [
      x,
      tensor([1.5, -0.5]),
      tensor([0.1, 0.2]),
    ]);

    expect(result.ok, result.worst).toBe(true);
  });
});

describe("BatchNorm configuration", () => {
  test("parameters and buffers are named and shaped", () => {
    const layer = new BatchNorm2d(4);

    expect(layer.namedParameters().map(([name, p]) => [name, p.shape])).toEqual([
      ["weight", [4]],
      ["bias", [4]],
    ]);
    expect(layer.namedBuffers().map(([name, b]) => [name, b.shape])).toEqual([
      ["runningMean", [4]],
      ["runningVar", [4]],
    ]);
    expect(layer.parameterCount()).toBe(8);
    expect(layer.describe()).toBe("BatchNorm2d(4)");
  });

  test("affine false has no parameters", () => {
    const layer = new BatchNorm1d(3, { affine: false });

    expect(layer.parameters()).toEqual([]);
    expect(layer.forward(tensor([[1, 2, 3], [3, 2, 1]]))).toBeAllClose([[-1, 0, 1], [1, 0, -1]], { atol: 1e-4 });
  });

  test.each([
    ["channels 0", () => new BatchNorm1d(0), "BatchNorm1d: channels 0 is invalid"],
    ["channels 2.5", () => new BatchNorm2d(2.5), "BatchNorm2d: channels 2.5 is invalid"],
    ["momentum 1.5", () => new BatchNorm1d(2, { momentum: 1.5 }), "momentum 1.5 is invalid; it must be in [0, 1]"],
    ["epsilon 0", () => new BatchNorm1d(2, { epsilon: 0 }), "epsilon 0 is invalid"],
  ])("rejects %s", (_case, make, message) => {
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(message);
  });

  test("rejects an input of the wrong layout", () => {
    expect(() => new BatchNorm2d(3).forward(tensor(fixture(12, 1), [4, 3]))).toThrow(
      "BatchNorm2d(3) expects input [N, C, H, W] with 3 channels at axis 1, but got [4, 3].",
    );
    expect(() => new BatchNorm1d(3).forward(tensor(fixture(8, 1), [4, 2]))).toThrow(ConfigError);
  });

  test("rejects a single value per channel in train mode", () => {
    const layer = new BatchNorm1d(2);

    expect(() => layer.forward(tensor([[1, 2]]))).toThrow(/more than one value per channel.*\[1, 2\]/);
    expect(layer.eval().forward(tensor([[1, 2]])).shape).toEqual([1, 2]);
  });
});

describe("BatchNorm module state", () => {
  test("train and eval reach a nested layer", () => {
    const norm = new BatchNorm1d(2);
    const model = new Sequential([new Linear(2, 2), new Sequential([norm])]);

    model.eval();
    expect(norm.training).toBe(false);
    model.train();
    expect(norm.training).toBe(true);
  });

  test("checkpoints store and restore running statistics", async () => {
    const source = new Sequential([new Linear(3, 2, { seed: 1 }), new BatchNorm1d(2)]);
    source.forward(tensor(fixture(12, 2), [4, 3]));
    const bytes = await serializeModule(source);
    const target = new Sequential([new Linear(3, 2, { seed: 2 }), new BatchNorm1d(2)]);

    loadModule(target, bytes, "memory");

    expect([...parseSafetensors(bytes, "memory").tensors.keys()].sort()).toEqual([
      "0.bias",
      "0.weight",
      "1.bias",
      "1.runningMean",
      "1.runningVar",
      "1.weight",
    ]);
    for (const [name, buffer] of target.namedTensors()) {
      const original = source.namedTensors().find(([other]) => other === name)![1];
      expect(buffer.value.dataSync(), name).toEqual(original.value.dataSync());
    }
    expect(target.buffers()[0]!.value.dataSync()).not.toEqual(new Float32Array(2));
  });

  test("loading a file without running statistics fails", async () => {
    const bytes = await serializeModule(new Sequential([new Linear(3, 2)]));
    const target = new Sequential([new Linear(3, 2), new BatchNorm1d(2)]);

    expect(() => loadModule(target, bytes, "old.safetensors")).toThrow(CheckpointFormatError);
    expect(() => loadModule(target, bytes, "old.safetensors")).toThrow(/tensor "1.weight"/);
  });

  test("evaluate leaves running statistics unchanged", async () => {
    const norm = new BatchNorm1d(2);
    norm.runningMean.assign(tensor([0.5, -0.5]));
    const source = new Dataset({
      name: "two-features",
      images: Float32Array.from(fixture(20, 3)),
      labels: Int32Array.from([0, 1, 0, 1, 1, 0, 1, 0, 0, 1]),
      sampleShape: [2],
      classes: 2,
    });

    await evaluate([new Sequential([new Flatten(), norm])], source, 4);

    expect(norm.training).toBe(true);
    expect(await norm.runningMean.value.data()).toBeAllClose([0.5, -0.5]);
    expect(await norm.runningVar.value.data()).toBeAllClose([1, 1]);
  });

  test("a buffer name may not repeat a parameter name", () => {
    class Clash extends Module {
      constructor() {
        super();
        this.addParameter("state", zeros([1]));
        this.addBuffer("state", zeros([1]));
      }

      forward(x: Tensor): Tensor {
        return x;
      }
    }

    expect(() => new Clash()).toThrow('Clash: the tensor name "state" is already used by a parameter or buffer of this module.');
  });
});
