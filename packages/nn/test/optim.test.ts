/**
 * SGD and Adam against trajectories computed by hand: a scalar parameter
 * θ₀ = 1, learning rate 0.1 and the fixed gradient sequence 1, 2, −1.
 */
import { memory, tensor, tidy } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import {
  Adam,
  ConfigError,
  createOptimizer,
  type Optimizer,
  type OptimizerSpec,
  Parameter,
  SGD,
} from "../src/index.js";
import "@modular/testing";

const GRADIENTS = [1, 2, -1];

/** Set θ to 1, run the gradient sequence and return θ after each step. */
function trajectory(optimizer: Optimizer, theta = new Parameter(tensor([1]), "theta")): number[] {
  theta.assign(tensor([1]));
  return GRADIENTS.map((g) => {
    tidy(() => optimizer.step([theta], [tensor([g])]));
    return theta.value.dataSync()[0]!;
  });
}

describe("SGD", () => {
  test.each([
    // θ −= 0.1·g: 1 − 0.1 = 0.9, 0.9 − 0.2 = 0.7, 0.7 + 0.1 = 0.8.
    ["plain", { lr: 0.1 }, [0.9, 0.7, 0.8]],
    // v = 0.5·v + g gives v = 1, 2.5, 0.25, and θ −= 0.1·v.
    ["momentum", { lr: 0.1, momentum: 0.5 }, [0.9, 0.65, 0.625]],
    // v as above, and θ −= 0.1·(g + 0.5·v) gives steps 0.15, 0.325, −0.0875.
    ["Nesterov", { lr: 0.1, momentum: 0.5, nesterov: true }, [0.85, 0.525, 0.6125]],
    // g' = g + 0.5·θ gives 1.5, 2.425, −0.69625, and θ −= 0.1·g'.
    ["weight decay", { lr: 0.1, weightDecay: 0.5 }, [0.85, 0.6075, 0.677125]],
    // g' = g + 0.5·θ gives 1.5, 2.425, −0.73375, and v = 0.5·v + g' gives 1.5, 3.175, 0.85375.
    ["momentum and weight decay", { lr: 0.1, momentum: 0.5, weightDecay: 0.5 }, [0.85, 0.5325, 0.447125]],
  ])("%s follows the hand-computed steps", (_, options, expected) => {
    expect(trajectory(new SGD(options))).toBeAllClose(expected);
  });

  test("keeps velocity per parameter", () => {
    const optimizer = new SGD({ lr: 0.1, momentum: 0.5 });
    const a = new Parameter(tensor([1]), "a");
    const b = new Parameter(tensor([1]), "b");
    tidy(() => optimizer.step([a, b], [tensor([1]), tensor([-1])]));
    tidy(() => optimizer.step([a, b], [tensor([1]), tensor([-1])]));

    // a has v = 1, then 1.5, and b is its mirror image.
    expect(a.value).toBeAllClose([0.75]);
    expect(b.value).toBeAllClose([1.25]);
  });

  test("restarts from zero velocity after dispose", () => {
    const optimizer = new SGD({ lr: 0.1, momentum: 0.5 });
    const theta = new Parameter(tensor([1]), "theta");
    trajectory(optimizer, theta);
    optimizer.dispose();

    expect(trajectory(optimizer, theta)).toBeAllClose([0.9, 0.65, 0.625]);
  });
});

describe("Adam", () => {
  // m = 0.9·m + 0.1·g, v = 0.999·v + 0.001·g², θ −= lr·m̂ / (√v̂ + ε)
  // with m̂ = m / (1 − 0.9ᵗ) and v̂ = v / (1 − 0.999ᵗ):
  // t = 1: m̂ = 1 and v̂ = 1, so the step is 0.1.
  // t = 2: m = 0.29 and v = 0.004999, so m̂ = 1.5263158, v̂ = 2.5007504 and the step is 0.0965182.
  // t = 3: m = 0.161 and v = 0.005994001, so m̂ = 0.5940959, v̂ = 1.9999997 and the step is 0.0420089.
  test("follows the hand-computed steps", () => {
    expect(trajectory(new Adam({ lr: 0.1 }))).toBeAllClose([0.9, 0.8034818, 0.7614729]);
  });

  test("adds weight decay to the gradient", () => {
    // g' = g + 0.5·θ gives 1.5, 2.45, −0.5992235.
    expect(trajectory(new Adam({ lr: 0.1, weightDecay: 0.5 }))).toBeAllClose([0.9, 0.8015529, 0.7401107]);
  });

  test("first step moves each element by lr against the gradient sign", () => {
    const optimizer = new Adam({ lr: 0.01 });
    const theta = new Parameter(tensor([0, 0, 0]), "theta");
    tidy(() => optimizer.step([theta], [tensor([3, -0.2, 50])]));

    expect(theta.value).toBeAllClose([-0.01, 0.01, -0.01]);
  });

  test("restarts from step 1 after dispose", () => {
    const optimizer = new Adam({ lr: 0.1 });
    const theta = new Parameter(tensor([1]), "theta");
    trajectory(optimizer, theta);
    optimizer.dispose();

    expect(trajectory(optimizer, theta)).toBeAllClose([0.9, 0.8034818, 0.7614729]);
  });

  test("has the usual defaults", () => {
    const optimizer = new Adam();

    expect([optimizer.lr, optimizer.beta1, optimizer.beta2, optimizer.epsilon]).toEqual([1e-3, 0.9, 0.999, 1e-8]);
  });
});

describe("optimizers", () => {
  const optimizers: [string, () => Optimizer][] = [
    ["SGD", () => new SGD({ lr: 0.1, momentum: 0.9 })],
    ["Adam", () => new Adam({ lr: 0.1 })],
  ];

  test.each(optimizers)("%s leaves a parameter with a null gradient unchanged", (_, create) => {
    const optimizer = create();
    const updated = new Parameter(tensor([1, 2]), "updated");
    const frozen = new Parameter(tensor([1, 2]), "frozen");
    const before = frozen.value;
    tidy(() => optimizer.step([updated, frozen], [tensor([1, 1]), null]));

    expect(frozen.value).toBe(before);
    expect(frozen.value).toBeAllClose([1, 2]);
    expect(updated.value).not.toBeAllClose([1, 2]);
  });

  test.each(optimizers)("%s rejects a gradient count that differs from the parameters", (_, create) => {
    const parameter = new Parameter(tensor([1]), "theta");

    expect(() => create().step([parameter], [])).toThrow(ConfigError);
    expect(() => create().step([parameter], [])).toThrow("got 1 parameters but 0 gradients");
  });

  test.each(optimizers)("%s state keeps memory flat over many steps", (_, create) => {
    const optimizer = create();
    const parameters = [new Parameter(tensor([1, 2, 3]), "a"), new Parameter(tensor([[1], [2]]), "b")];
    const step = () => tidy(() => optimizer.step(parameters, [tensor([0.1, -0.2, 0.3]), tensor([[0.5], [-0.5]])]));
    step();
    const afterFirst = memory();
    for (let i = 0; i < 50; i++) step();

    expect(memory()).toEqual(afterFirst);
  });

  test.each(optimizers)("%s dispose frees its state", (_, create) => {
    const parameter = new Parameter(tensor([1, 2, 3]), "theta");
    const before = memory();
    const optimizer = create();
    tidy(() => optimizer.step([parameter], [tensor([1, 1, 1])]));
    optimizer.dispose();

    expect(memory()).toEqual(before);
  });
});

describe("optimizer options", () => {
  test.each([
    ["SGD lr −1", () => new SGD({ lr: -1 }), "SGD lr -1 is invalid"],
    ["SGD lr NaN", () => new SGD({ lr: Number.NaN }), "SGD lr NaN is invalid"],
    ["SGD lr ∞", () => new SGD({ lr: Infinity }), "SGD lr Infinity is invalid"],
    ["SGD momentum 1.5", () => new SGD({ lr: 0.1, momentum: 1.5 }), "SGD momentum 1.5 is invalid"],
    ["SGD weightDecay −0.1", () => new SGD({ lr: 0.1, weightDecay: -0.1 }), "SGD weightDecay -0.1 is invalid"],
    ["Nesterov without momentum", () => new SGD({ lr: 0.1, nesterov: true }), "Nesterov momentum needs momentum > 0"],
    ["Adam lr −0.001", () => new Adam({ lr: -0.001 }), "Adam lr -0.001 is invalid"],
    ["Adam beta1 1", () => new Adam({ beta1: 1 }), "Adam beta1 1 is invalid"],
    ["Adam beta2 1.5", () => new Adam({ beta2: 1.5 }), "Adam beta2 1.5 is invalid"],
    ["Adam weightDecay −1", () => new Adam({ weightDecay: -1 }), "Adam weightDecay -1 is invalid"],
  ])("%s throws ConfigError", (_, create, message) => {
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(message);
  });

  test("createOptimizer builds the named kind", () => {
    expect(createOptimizer({ kind: "adam", lr: 0.01 })).toBeInstanceOf(Adam);
    expect(createOptimizer({ kind: "sgd", lr: 0.01, momentum: 0.9 })).toBeInstanceOf(SGD);
    expect(createOptimizer({ kind: "sgd", lr: 0.01 }).lr).toBe(0.01);
  });

  test("createOptimizer rejects an unknown kind", () => {
    const spec = { kind: "rmsprop", lr: 0.01 } as unknown as OptimizerSpec;

    expect(() => createOptimizer(spec)).toThrow(ConfigError);
    expect(() => createOptimizer(spec)).toThrow('Unknown optimizer "rmsprop". Valid optimizers: adam, sgd.');
  });
});
