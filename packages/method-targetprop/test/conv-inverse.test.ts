/**
 * Inverses of convolutional modules: exact shapes for odd sizes, the layers
 * they mirror, which inverse each module gets, and the errors for modules
 * they cannot mirror.
 */
import {
  AvgPool2d,
  cnn,
  ConfigError,
  Conv2d,
  ConvTranspose2d,
  Flatten,
  Linear,
  MaxPool2d,
  Module,
  ReLU,
  Sequential,
  splitEveryBlock,
  type TrainingContext,
} from "@modular/nn";
import { randomNormal, type Tensor } from "@modular/tensor";
import "@modular/testing";
import { describe, expect, test } from "vitest";
import { ConvInverse, dtp, inverseLoss, InverseLayer, inverseOf } from "../src/index.js";

/** A layer the inverse has no counterpart for. */
class Shift extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

describe("ConvInverse shapes", () => {
  test.each([
    // [description, module, input shape]
    ["cnn stage on 7×9", () => new Sequential([new Conv2d(1, 4, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2)]), [1, 7, 9]],
    ["stride 2 on 11×13", () => new Sequential([new Conv2d(3, 4, 3, { stride: 2, padding: 1 }), new ReLU(), new MaxPool2d(2)]), [3, 11, 13]],
    ["stride 3, kernel 2 on 10×5", () => new Sequential([new Conv2d(2, 3, 2, { stride: 3 }), new ReLU()]), [2, 10, 5]],
    ["dilation 2 on 9×9", () => new Sequential([new Conv2d(2, 2, 3, { dilation: 2, padding: 1 }), new AvgPool2d(2)]), [2, 9, 9]],
    ["two convs and a pool on 15×7", () =>
      new Sequential([new Conv2d(1, 2, 3, { stride: 2 }), new ReLU(), new Conv2d(2, 3, 3, { padding: 1 }), new MaxPool2d(3)]), [1, 15, 7]],
  ] as const)("%s maps back to the input shape", (_, create, inputShape) => {
    const module = create();
    const x = randomNormal([2, ...inputShape], { seed: 1 });
    const h = module.forward(x);
    const inverse = new ConvInverse({ module, inputShape, activation: "linear", seed: 2 });
    expect(inverse.forward(h).shape).toEqual([2, ...inputShape]);
  });

  test("each Conv2d becomes a ConvTranspose2d with swapped channels", () => {
    const module = new Sequential([new Conv2d(1, 2, 3, { stride: 2 }), new ReLU(), new Conv2d(2, 3, 5, { padding: 2 }), new MaxPool2d(2)]);
    const inverse = new ConvInverse({ module, inputShape: [1, 15, 15], activation: "linear", seed: 2 });
    const transposed = inverse.children()[0]!.children().filter((layer) => layer instanceof ConvTranspose2d);
    expect(transposed.map((layer) => [layer.inChannels, layer.outChannels, ...layer.kernelSize])).toEqual([
      [3, 2, 5, 5],
      [2, 1, 3, 3],
    ]);
  });

  test("the reconstruction loss trains every transposed convolution", () => {
    const modules: Module[] = [
      new Sequential([new Conv2d(1, 2, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2)]),
      new Sequential([new Conv2d(2, 3, 3, { padding: 1 }), new ReLU(), new MaxPool2d(2)]),
    ];
    const x = randomNormal([3, 1, 9, 9], { seed: 3 });
    const outputs = [modules[0]!.forward(x)];
    outputs.push(modules[1]!.forward(outputs[0]!));
    const inverses = [new ConvInverse({ module: modules[1]!, inputShape: [2, 4, 4], activation: "relu", seed: 4 })];
    const { grads } = inverseLoss("lee", modules, inverses, outputs, 0, randomNormal(outputs[0]!.shape, { seed: 5 }));
    expect(grads).toHaveLength(2);
    expect(grads.every((grad) => grad !== null)).toBe(true);
  });
});

describe("inverse choice and errors", () => {
  test("image to image gets a ConvInverse, anything flat a dense inverse", () => {
    const model = cnn({ kind: "cnn", inputShape: [1, 13, 11], classes: 3, channels: [2, 4], hidden: 8 }, 1);
    const context: TrainingContext = {
      epochs: 1,
      batchSize: 4,
      seed: 1,
      classes: 3,
      sampleShape: [1, 13, 11],
      optimizer: { kind: "adam", lr: 0.01 },
      createOptimizer: () => ({ lr: 0.01, step() {}, dispose() {} }),
    };
    const modules = splitEveryBlock(model);
    const [phase] = dtp({ feedbackEpochs: 0 }).plan(modules, context);
    const inverses = phase!.auxiliary!;
    expect(inverses.map((inverse) => inverse.constructor.name)).toEqual(["ConvInverse", "InverseLayer", "InverseLayer"]);

    // The targets of every module keep its output's shape, odd sizes included.
    const x = randomNormal([4, 1, 13, 11], { seed: 2 });
    const outputs: Tensor[] = [];
    let h = x;
    for (const module of modules) outputs.push((h = module.forward(h)));
    inverses.forEach((inverse, q) => expect(inverse.forward(outputs[q + 1]!).shape).toEqual(outputs[q]!.shape));
    phase!.end!();
    model.dispose();
  });

  test("inverseOf builds a dense inverse for flat shapes", () => {
    const module = new Sequential([new Flatten(), new Linear(12, 5)]);
    expect(inverseOf(module, [3, 2, 2], [5], "linear", 1)).toBeInstanceOf(InverseLayer);
  });

  test("a layer with no transposed counterpart is rejected", () => {
    const module = new Sequential([new Conv2d(1, 2, 3), new Shift()]);
    expect(() => new ConvInverse({ module, inputShape: [1, 8, 8], activation: "linear", seed: 1 })).toThrow(ConfigError);
    expect(() => new ConvInverse({ module, inputShape: [1, 8, 8], activation: "linear", seed: 1 })).toThrow(
      /layer Shift .* has no transposed counterpart/,
    );
  });

  test("a module without a convolution is rejected", () => {
    const module = new Sequential([new MaxPool2d(2)]);
    expect(() => new ConvInverse({ module, inputShape: [2, 8, 8], activation: "linear", seed: 1 })).toThrow(
      /has no Conv2d, so there is nothing to learn/,
    );
  });
});
