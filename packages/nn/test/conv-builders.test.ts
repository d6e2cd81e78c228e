/** The convolutional builders: shapes, parameter counts, named blocks, splits and spec errors. */
import { zeros } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { buildModel, cnn, ConfigError, type ModelSpec, resnet, split, splitEveryBlock, vgg } from "../src/index.js";

const FASHION = { inputShape: [1, 28, 28], classes: 10 } as const;
const CIFAR = { inputShape: [3, 32, 32], classes: 10 } as const;

describe("cnn", () => {
  test("names its four blocks", () => {
    expect(cnn({ kind: "cnn", ...FASHION }).blockNames).toEqual(["conv1", "conv2", "fc1", "output"]);
  });

  test("maps [N, 1, 28, 28] to [N, classes]", () => {
    const y = cnn({ kind: "cnn", ...FASHION }).forward(zeros([3, 1, 28, 28]));

    expect(y.shape).toEqual([3, 10]);
  });

  // conv1 1·16·9 + 16, conv2 16·32·9 + 32, fc1 32·7·7·128 + 128, output 128·10 + 10.
  test("counts its parameters", () => {
    expect(cnn({ kind: "cnn", ...FASHION }).parameterCount()).toBe(160 + 4_640 + 200_832 + 1_290);
  });

  test("takes other channels and hidden width", () => {
    const model = cnn({ kind: "cnn", ...FASHION, channels: [4, 8], hidden: 16 });

    expect(model.forward(zeros([2, 1, 28, 28])).shape).toEqual([2, 10]);
    expect(model.parameterCount()).toBe(40 + 296 + (8 * 49 * 16 + 16) + 170);
  });

  test("rejects a flat input shape", () => {
    expect(() => cnn({ kind: "cnn", inputShape: [784], classes: 10 })).toThrow(ConfigError);
    expect(() => cnn({ kind: "cnn", inputShape: [784], classes: 10 })).toThrow("Use the mlp builder for feature vectors.");
  });
});

describe("vgg", () => {
  test("names six conv blocks, fc1 and output", () => {
    expect(vgg({ kind: "vgg", ...CIFAR, widthMultiplier: 0.125 }).blockNames).toEqual([
      "conv1", "conv2", "conv3", "conv4", "conv5", "conv6", "fc1", "output",
    ]);
  });

  test("has the VGG-8B parameter count at full width", () => {
    // Convs (no bias) 3·128·9, 128·256·9, 256·256·9, 256·512·9, 512·512·9 twice; batch norm 2 per channel;
    // fc1 512·2·2·1024 + 1024; output 1024·10 + 10.
    const convs = 9 * (3 * 128 + 128 * 256 + 256 * 256 + 256 * 512 + 512 * 512 * 2);
    const norms = 2 * (128 + 256 + 256 + 512 + 512 + 512);
    expect(vgg({ kind: "vgg", ...CIFAR }).parameterCount()).toBe(convs + norms + 2048 * 1024 + 1024 + 10_250);
  });

  test("scales widths by the multiplier", () => {
    const model = vgg({ kind: "vgg", ...FASHION, widthMultiplier: 0.125 });

    expect(model.forward(zeros([2, 1, 28, 28])).shape).toEqual([2, 10]);
    expect(model.blocks[0]!.describe()).toContain("Conv2d(1 -> 16, 3x3)");
  });

  test("rejects inputs below 16×16", () => {
    expect(() => vgg({ kind: "vgg", inputShape: [1, 8, 8], classes: 10 })).toThrow("at least 16×16");
  });
});

describe("resnet", () => {
  test("has the ResNet-20 parameter count", () => {
    // 19 convs and the output layer of He et al.'s CIFAR ResNet-20, with 1×1 projection shortcuts.
    expect(resnet({ kind: "resnet", ...CIFAR }).parameterCount()).toBe(272_474);
  });

  test("names the stem, nine blocks and the output", () => {
    const names = resnet({ kind: "resnet", ...CIFAR }).blockNames;

    expect(names).toHaveLength(11);
    expect(names[0]).toBe("stem");
    expect(names[4]).toBe("stage2.block1");
    expect(names.at(-1)).toBe("output");
  });

  test("maps [N, 3, 32, 32] to [N, classes]", () => {
    const model = resnet({ kind: "resnet", ...CIFAR, widthMultiplier: 0.25, blocksPerStage: 1 });

    expect(model.forward(zeros([2, 3, 32, 32])).shape).toEqual([2, 10]);
  });

  test("rejects zero blocks per stage", () => {
    expect(() => resnet({ kind: "resnet", ...CIFAR, blocksPerStage: 0 })).toThrow("blocksPerStage 0 is invalid");
  });
});

describe("named splits", () => {
  test("split after a named block", () => {
    const modules = split(cnn({ kind: "cnn", ...FASHION }), ["conv2"]);

    expect(modules).toHaveLength(2);
    expect(modules[0]!.forward(zeros([1, 1, 28, 28])).shape).toEqual([1, 32, 7, 7]);
  });

  test("an unknown name lists the blocks", () => {
    expect(() => split(cnn({ kind: "cnn", ...FASHION }), ["conv3"])).toThrow(
      'split: no block is named "conv3". Blocks of this cnn: conv1, conv2, fc1, output.',
    );
  });

  test("splitEveryBlock gives one module per block", () => {
    expect(splitEveryBlock(resnet({ kind: "resnet", ...CIFAR, widthMultiplier: 0.25 }))).toHaveLength(11);
  });

  test("buildModel builds every kind", () => {
    const specs: ModelSpec[] = [
      { kind: "cnn", ...FASHION, channels: [2, 2], hidden: 4 },
      { kind: "vgg", ...FASHION, widthMultiplier: 0.05 },
      { kind: "resnet", ...CIFAR, widthMultiplier: 0.25, blocksPerStage: 1 },
    ];
    expect(specs.map((spec) => buildModel(spec, 0).spec.kind)).toEqual(["cnn", "vgg", "resnet"]);
  });
});
