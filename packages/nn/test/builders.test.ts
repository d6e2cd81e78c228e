/** mlp, buildModel, split and splitBeforeOutput. */
import { randomUniform } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import {
  buildModel,
  ConfigError,
  forwardThrough,
  type MlpSpec,
  mlp,
  type Model,
  type ModelSpec,
  type Sequential,
  split,
  splitBeforeOutput,
} from "../src/index.js";
import "@modular/testing";

const MNIST_MLP: MlpSpec = { kind: "mlp", inputShape: [1, 28, 28], hidden: [64, 32], classes: 10 };

function weights(spec: MlpSpec, seed: number): number[][] {
  return mlp(spec, seed)
    .parameters()
    .map((parameter) => Array.from(parameter.value.dataSync()));
}

describe("mlp", () => {
  test("has one block per hidden layer, then the output layer", () => {
    const model = mlp(MNIST_MLP);

    expect(model.blocks.map((block) => block.describe())).toEqual([
      "Flatten -> Linear(784 -> 64) -> ReLU",
      "Linear(64 -> 32) -> ReLU",
      "Linear(32 -> 10)",
    ]);
  });

  test("without hidden layers is Flatten and one Linear", () => {
    const model = mlp({ ...MNIST_MLP, hidden: [] });

    expect(model.blocks.map((block) => block.describe())).toEqual(["Flatten -> Linear(784 -> 10)"]);
  });

  test.each([
    ["tanh", "Tanh"],
    ["sigmoid", "Sigmoid"],
  ] as const)("uses the %s activation", (activation, name) => {
    const model = mlp({ ...MNIST_MLP, activation });

    expect(model.blocks[1]!.describe()).toBe(`Linear(64 -> 32) -> ${name}`);
  });

  test("counts weights and biases", () => {
    const expected = 784 * 64 + 64 + (64 * 32 + 32) + (32 * 10 + 10);

    expect(mlp(MNIST_MLP).parameterCount()).toBe(expected);
  });

  test("names parameters by block and layer", () => {
    expect(mlp(MNIST_MLP).namedParameters().map(([name]) => name)).toEqual([
      "0.1.weight",
      "0.1.bias",
      "1.0.weight",
      "1.0.bias",
      "2.weight",
      "2.bias",
    ]);
  });

  test("maps [N, 1, 28, 28] to [N, classes]", () => {
    const x = randomUniform([3, 1, 28, 28], { seed: 1 });

    expect(mlp(MNIST_MLP).forward(x).shape).toEqual([3, 10]);
  });

  test("gives each layer its own random stream", () => {
    const spec: MlpSpec = { kind: "mlp", inputShape: [8], hidden: [8], classes: 8 };
    const [hidden, , output] = weights(spec, 0);

    expect(output).not.toEqual(hidden);
  });

  test("same seed gives the same weights", () => {
    expect(weights(MNIST_MLP, 3)).toEqual(weights(MNIST_MLP, 3));
  });

  test("another seed gives other weights", () => {
    expect(weights(MNIST_MLP, 4)[0]).not.toEqual(weights(MNIST_MLP, 3)[0]);
  });

  test.each([
    ["classes 1", { ...MNIST_MLP, classes: 1 }, "mlp: classes 1 is invalid; it must be an integer of at least 2."],
    ["an unknown activation", { ...MNIST_MLP, activation: "gelu" }, 'mlp: unknown activation "gelu". Valid activations: relu, tanh, sigmoid.'],
    ["a hidden width of 0", { ...MNIST_MLP, hidden: [0] }, "Linear: outFeatures 0 is invalid"],
  ])("rejects %s", (_, spec, message) => {
    expect(() => mlp(spec as MlpSpec)).toThrow(ConfigError);
    expect(() => mlp(spec as MlpSpec)).toThrow(message);
  });
});

describe("buildModel", () => {
  test("builds an MLP from its spec", () => {
    const model = buildModel(MNIST_MLP, 3);

    expect(model.spec).toEqual(MNIST_MLP);
    expect(model.parameters().map((p) => Array.from(p.value.dataSync()))).toEqual(weights(MNIST_MLP, 3));
  });

  test("rejects an unknown kind", () => {
    const spec = { kind: "transformer" } as unknown as ModelSpec;

    expect(() => buildModel(spec)).toThrow(ConfigError);
    expect(() => buildModel(spec)).toThrow('Unknown model kind "transformer". Valid kinds: mlp, cnn, vgg, resnet.');
  });
});

/** Return the model's block indices in each module, matched by identity. */
function blockIndices(model: Model, modules: readonly Sequential[]): number[][] {
  return modules.map((module) => module.layers.map((block) => model.blocks.indexOf(block)));
}

describe("split", () => {
  test.each([
    [[2], [[0, 1], [2]]],
    [[1], [[0], [1, 2]]],
    [[1, 2], [[0], [1], [2]]],
  ])("at %j gives blocks %j", (boundaries, blocks) => {
    const model = mlp(MNIST_MLP);

    expect(blockIndices(model, split(model, boundaries))).toEqual(blocks);
  });

  test("with no boundaries gives the whole model as one module", () => {
    const model = mlp(MNIST_MLP);

    expect(blockIndices(model, split(model, []))).toEqual([[0, 1, 2]]);
  });

  test("shares the model's parameters", () => {
    const model = mlp(MNIST_MLP);
    const modules = split(model, [1, 2]);

    const shared = modules.flatMap((module) => module.parameters());
    const own = model.parameters();

    expect(shared.length).toBe(own.length);
    shared.forEach((parameter, i) => expect(parameter).toBe(own[i]));
    expect(modules.map((module) => module.parameterCount())).toEqual([784 * 64 + 64, 64 * 32 + 32, 32 * 10 + 10]);
  });

  test("modules applied in order compute the model's forward pass", () => {
    const model = mlp(MNIST_MLP);
    const x = randomUniform([2, 1, 28, 28], { seed: 2 });

    expect(forwardThrough(split(model, [1, 2]), x)).toBeAllClose(model.forward(x).arraySync() as number[][]);
  });

  test.each([
    [[0], 0],
    [[3], 3],
    [[2, 1], 1],
    [[1, 1], 1],
    [[1.5], 1.5],
  ])("rejects boundaries %j", (boundaries, invalid) => {
    const model = mlp(MNIST_MLP);

    expect(() => split(model, boundaries)).toThrow(ConfigError);
    expect(() => split(model, boundaries)).toThrow(
      `split: boundary ${invalid} is invalid for a model of 3 blocks; boundaries must be strictly increasing ` +
        `integers from 1 to 2 (or names of any block but the last). Got [${boundaries.join(", ")}].`,
    );
  });
});

describe("splitBeforeOutput", () => {
  test("gives the body and the output layer", () => {
    const model = mlp(MNIST_MLP);

    expect(blockIndices(model, splitBeforeOutput(model))).toEqual([[0, 1], [2]]);
  });

  test("rejects a model with only an output layer", () => {
    const model = mlp({ ...MNIST_MLP, hidden: [] });

    expect(() => splitBeforeOutput(model)).toThrow("split: boundary 0 is invalid for a model of 1 blocks");
  });
});
