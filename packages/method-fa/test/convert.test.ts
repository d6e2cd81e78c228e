/**
 * `withFeedback` on whole models: the counterpart shares the parameters and
 * computes the same outputs, with B = W it gives exactly the backprop
 * gradients of every parameter, and it rejects what it cannot convert.
 */
import { Tape } from "@modular/autodiff";
import {
  Conv2d,
  ConvTranspose2d,
  crossEntropy,
  Flatten,
  forwardThrough,
  Linear,
  MaxPool2d,
  mlp,
  type Module,
  parametersOf,
  ReLU,
  resnet,
  Sequential,
  splitEveryBlock,
  tapeFor,
} from "@modular/nn";
import { randomNormal, type Tensor, tensor, tidy } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import "@modular/testing";
import { FeedbackLayer, feedbackInputGradient, withFeedback } from "../src/index.js";

/** A small conv net with a strided, padded convolution: input [N, 2, 9, 9]. */
function stridedConvNet(): Module[] {
  return [
    new Sequential([new Conv2d(2, 4, 3, { stride: 2, padding: 1, seed: 1 }), new ReLU()]),
    new Sequential([new Conv2d(4, 6, 3, { padding: 1, seed: 1, stream: 1 }), new ReLU(), new MaxPool2d(2)]),
    new Sequential([new Flatten(), new Linear(24, 5, { seed: 1, stream: 2 })]),
  ];
}

/** Gradients of the cross-entropy of `modules` on (x, labels) for every parameter of `parameterSource`. */
function lossGradients(modules: readonly Module[], parameterSource: readonly Module[], x: Tensor, labels: Tensor): Tensor[] {
  const parameters = parametersOf(parameterSource);
  const tape = tapeFor(parameters);
  const loss = tape.record(() => crossEntropy(forwardThrough(modules, x), labels));
  return tape.gradient(loss, parameters.map((parameter) => parameter.value)) as Tensor[];
}

const MODELS: [string, () => Module[], number[], number][] = [
  ["mlp split at every block", () => splitEveryBlock(mlp({ kind: "mlp", inputShape: [1, 6, 6], hidden: [12, 8], classes: 4 }, 2)), [5, 1, 6, 6], 4],
  ["conv net with a strided, padded convolution", stridedConvNet, [3, 2, 9, 9], 5],
  ["resnet with projection shortcuts", () => [resnet({ kind: "resnet", inputShape: [3, 8, 8], classes: 3, blocksPerStage: 1, widthMultiplier: 0.25 }, 4)], [2, 3, 8, 8], 3],
];

describe("withFeedback", () => {
  test.each(MODELS)("shares the parameters of a %s", (_name, build, inputShape) => {
    tidy(() => {
      const modules = build();
      const network = withFeedback(modules, (layer) => feedbackInputGradient(layer, (weight) => weight));
      expect(parametersOf(network.modules)).toEqual(parametersOf(modules));
      const x = randomNormal(inputShape, { seed: 3 });
      const plain = forwardThrough(modules, x);
      expect(forwardThrough(network.modules, x)).toBeAllClose(plain.arraySync() as number[][], { rtol: 0, atol: 0 });
    });
  });

  test.each(MODELS)("with B = W equals backprop on a %s", (_name, build, inputShape, classes) => {
    tidy(() => {
      const modules = build();
      const network = withFeedback(modules, (layer) => feedbackInputGradient(layer, (weight) => weight));
      const x = randomNormal(inputShape, { seed: 3 });
      const labels = tensor(Int32Array.from({ length: inputShape[0]! }, (_, i) => i % classes));
      const truth = lossGradients(modules, modules, x, labels);
      const viaFeedback = lossGradients(network.modules, modules, x, labels);
      expect(viaFeedback).toHaveLength(truth.length);
      viaFeedback.forEach((grad, i) => expect(grad).toBeAllClose(truth[i]!.arraySync() as number[], { rtol: 1e-5, atol: 1e-6 }));
    });
  });

  test("numbers the weight layers in forward order", () => {
    const modules = stridedConvNet();
    const indices: number[] = [];
    const network = withFeedback(modules, (layer, index) => {
      indices.push(index);
      return feedbackInputGradient(layer, (weight) => weight);
    });
    expect(indices).toEqual([0, 1, 2]);
    expect(network.layers.map((layer) => layer.index)).toEqual([0, 1, 2]);
    expect(network.layers.every((layer) => layer instanceof FeedbackLayer)).toBe(true);
    expect(network.layers[2]!.layer).toBeInstanceOf(Linear);
  });

  test("records the input shape of each layer", () => {
    tidy(() => {
      const network = withFeedback(stridedConvNet(), (layer) => feedbackInputGradient(layer, (weight) => weight));
      forwardThrough(network.modules, randomNormal([1, 2, 9, 9], { seed: 1 }));
      expect(network.layers.map((layer) => layer.inputShape)).toEqual([[2, 9, 9], [4, 5, 5], [24]]);
    });
  });

  test("rejects a transposed convolution", () => {
    const modules = [new Sequential([new ConvTranspose2d(2, 3, 3)])];
    expect(() => withFeedback(modules, (layer) => feedbackInputGradient(layer, (weight) => weight))).toThrow(
      /ConvTranspose2d\(2 -> 3, 3x3\) has no feedback-alignment counterpart/,
    );
  });

  test("rejects an unknown container", () => {
    class Pair extends Sequential {}
    class Custom extends ReLU {
      constructor() {
        super();
        this.addChild("inner", new Linear(2, 2));
      }
    }
    expect(() => withFeedback([new Pair([new ReLU()])], () => (dy) => dy)).not.toThrow();
    expect(() => withFeedback([new Custom()], () => (dy) => dy)).toThrow(/cannot convert .*Sequential or Residual/);
  });

  test("feedback paths skip the data input", () => {
    tidy(() => {
      const calls: number[] = [];
      const modules = stridedConvNet();
      const network = withFeedback(modules, (layer, index) =>
        feedbackInputGradient(layer, (weight) => {
          calls.push(index);
          return weight;
        }),
      );
      const x = randomNormal([2, 2, 9, 9], { seed: 3 });
      const tape = new Tape().watch(...parametersOf(modules).map((parameter) => parameter.value));
      const y = tape.record(() => forwardThrough(network.modules, x));
      tape.gradient(y, parametersOf(modules).map((parameter) => parameter.value), { cotangent: randomNormal(y.shape, { seed: 4 }) });
      expect(calls.sort()).toEqual([1, 2]);
    });
  });
});
