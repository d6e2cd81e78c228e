/**
 * The feedback ops against backprop: with B = W a dense layer and a
 * strided, padded convolution give exactly the backprop gradients (bit for
 * bit on the default cpu backend), with
 * another B the input gradient follows B while the weight and bias
 * gradients stay the true ones, and the input gradient always has the
 * input's shape.
 */
import { Tape } from "@modular/autodiff";
import { Conv2d, type Conv2dLayerOptions, Linear } from "@modular/nn";
import { conv2dTranspose, matmul, randomNormal, type Tensor, tidy } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import "@modular/testing";
import { conv2dWithFeedback, feedbackInputGradient, linearWithFeedback, type WeightLayer } from "../src/index.js";

/** The gradients of Σ y ⊙ dy for the input, the weight and the bias of `layer`, through `apply`. */
function gradients(layer: WeightLayer, x: Tensor, dy: Tensor, apply: (x: Tensor) => Tensor): Tensor[] {
  const tape = new Tape().watch(x, ...layer.parameters().map((parameter) => parameter.value));
  const y = tape.record(() => apply(x));
  return tape.gradient(y, [x, ...layer.parameters().map((parameter) => parameter.value)], { cotangent: dy }) as Tensor[];
}

/** The backprop gradients and those of the feedback op with `feedbackOf`, for one random input and cotangent. */
function compare(layer: WeightLayer, inputShape: number[], feedbackOf: (weight: Tensor) => Tensor) {
  const x = randomNormal(inputShape, { seed: 5, stream: 1 });
  const outputShape = layer.forward(x).shape;
  const dy = randomNormal(outputShape, { seed: 5, stream: 2 });
  const rule = feedbackInputGradient(layer, feedbackOf);
  const viaFeedback = (input: Tensor) =>
    layer instanceof Linear ? linearWithFeedback(layer, input, rule) : conv2dWithFeedback(layer, input, rule);
  return {
    x,
    dy,
    backprop: gradients(layer, x, dy, (input) => layer.forward(input)),
    feedback: gradients(layer, x, dy, viaFeedback),
    forward: [layer.forward(x), viaFeedback(x)] as const,
  };
}

const CONV_CASES: [string, number[], number, Conv2dLayerOptions][] = [
  ["stride 1, no padding", [2, 3, 7, 7], 3, {}],
  ["stride 2, padding 1", [2, 3, 9, 9], 3, { stride: 2, padding: 1 }],
  ["stride 2, padding 1, even input", [2, 3, 8, 10], 3, { stride: 2, padding: 1 }],
  ["stride 3, padding 2, 5×5 kernel", [1, 2, 11, 12], 5, { stride: 3, padding: 2 }],
  ["stride [2, 1], padding [0, 2], dilation 2", [2, 2, 10, 9], 3, { stride: [2, 1], padding: [0, 2], dilation: 2 }],
];

describe("feedback ops with B = W", () => {
  test("dense layer equals backprop", () => {
    tidy(() => {
      const layer = new Linear(6, 4, { seed: 1 });
      const { x, backprop, feedback, forward } = compare(layer, [5, 6], (weight) => weight);
      expect(forward[1]).toBeAllClose(forward[0].arraySync() as number[][], { rtol: 0, atol: 0 });
      expect(feedback[0]!.shape).toEqual(x.shape);
      feedback.forEach((grad, i) => expect(grad).toBeAllClose(backprop[i]!.arraySync() as number[], { rtol: 0, atol: 0 }));
    });
  });

  test.each(CONV_CASES)("conv layer equals backprop: %s", (_name, inputShape, kernel, options) => {
    tidy(() => {
      const layer = new Conv2d(inputShape[1]!, 4, kernel, { ...options, seed: 2 });
      const { x, backprop, feedback } = compare(layer, inputShape, (weight) => weight);
      expect(feedback[0]!.shape).toEqual(x.shape);
      expect(feedback).toHaveLength(3);
      feedback.forEach((grad, i) => {
        expect(grad.shape).toEqual(backprop[i]!.shape);
        expect(grad).toBeAllClose(backprop[i]!.arraySync() as number[], { rtol: 0, atol: 0 });
      });
    });
  });
});

describe("feedback ops with a random B", () => {
  test("dense input gradient is dy·Bᵀ", () => {
    tidy(() => {
      const layer = new Linear(6, 4, { seed: 1 });
      const feedback = randomNormal([6, 4], { seed: 9 });
      const result = compare(layer, [5, 6], () => feedback);
      const expected = matmul(result.dy, feedback, { transposeB: true });
      expect(result.feedback[0]).toBeAllClose(expected.arraySync() as number[][], { rtol: 1e-6, atol: 1e-7 });
      expect(result.feedback[0]).not.toBeAllClose(result.backprop[0]!.arraySync() as number[][], { rtol: 1e-3, atol: 1e-4 });
      // The weight and the bias keep their true gradients.
      expect(result.feedback[1]).toBeAllClose(result.backprop[1]!.arraySync() as number[][], { rtol: 1e-6, atol: 1e-7 });
      expect(result.feedback[2]).toBeAllClose(result.backprop[2]!.arraySync() as number[], { rtol: 1e-6, atol: 1e-7 });
    });
  });

  test.each(CONV_CASES)("conv input gradient uses B: %s", (_name, inputShape, kernel, options) => {
    tidy(() => {
      const layer = new Conv2d(inputShape[1]!, 4, kernel, { ...options, seed: 2 });
      const feedback = randomNormal(layer.weight.shape, { seed: 9 });
      const result = compare(layer, inputShape, () => feedback);
      const expected = conv2dTranspose(result.dy, feedback, {
        ...layer.convOptions,
        outputSize: [inputShape[2]!, inputShape[3]!],
      });
      expect(result.feedback[0]!.shape).toEqual(result.x.shape);
      expect(result.feedback[0]).toBeAllClose(expected.arraySync() as number[], { rtol: 1e-6, atol: 1e-7 });
      expect(result.feedback[0]).not.toBeAllClose(result.backprop[0]!.arraySync() as number[], { rtol: 1e-3, atol: 1e-4 });
      expect(result.feedback[1]).toBeAllClose(result.backprop[1]!.arraySync() as number[], { rtol: 1e-5, atol: 1e-6 });
      expect(result.feedback[2]).toBeAllClose(result.backprop[2]!.arraySync() as number[], { rtol: 1e-5, atol: 1e-6 });
    });
  });

  test("conv layer without bias", () => {
    tidy(() => {
      const layer = new Conv2d(2, 3, 3, { stride: 2, padding: 1, bias: false, seed: 4 });
      const { x, backprop, feedback } = compare(layer, [2, 2, 7, 7], (weight) => weight);
      expect(feedback).toHaveLength(2);
      expect(feedback[0]!.shape).toEqual(x.shape);
      expect(feedback[1]).toBeAllClose(backprop[1]!.arraySync() as number[], { rtol: 1e-5, atol: 1e-6 });
    });
  });

  test("feedback of the wrong shape is rejected", () => {
    tidy(() => {
      const layer = new Linear(6, 4, { seed: 1 });
      expect(() => compare(layer, [5, 6], () => randomNormal([4, 6], { seed: 9 }))).toThrow(
        /feedback matrix has shape \[4, 6\], but the weight has shape \[6, 4\]/,
      );
    });
  });
});
