/** crossEntropy and mse: values against hand computations, and their input checks. */
import { type Tensor, tensor, zeros } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { ConfigError, crossEntropy, mse } from "../src/index.js";
import "@modular/testing";

function labels(values: number[]): Tensor {
  return tensor(Int32Array.from(values), [values.length]);
}

describe("crossEntropy", () => {
  test("is the mean of −log softmax at the label", () => {
    const logits = tensor([[1, 2, 3], [1, 1, 1]]);

    // Row 0: log(e¹ + e² + e³) − 3 = 0.4076059644. Row 1: log 3 = 1.0986122887.
    const expected = (0.4076059644 + 1.0986122887) / 2;
    expect(crossEntropy(logits, labels([2, 0]))).toBeAllClose(expected);
  });

  test("returns a scalar", () => {
    expect(crossEntropy(zeros([4, 3]), labels([0, 1, 2, 0])).shape).toEqual([]);
  });

  test("is log C for uniform logits", () => {
    expect(crossEntropy(zeros([2, 10]), labels([3, 9]))).toBeAllClose(Math.log(10));
  });

  test("stays finite for large logits", () => {
    // Row 0's label has the largest logit (loss 0), and row 1's label trails it by 1000 (loss 1000).
    const logits = tensor([[1000, 0], [1000, 0]]);

    expect(crossEntropy(logits, labels([0, 1]))).toBeAllClose(500, { rtol: 1e-6 });
  });

  test.each([
    [3, [0, 3]],
    [-1, [-1, 1]],
  ])("rejects label %s outside [0, classes)", (label, values) => {
    expect(() => crossEntropy(zeros([2, 3]), labels(values))).toThrow(`index ${label} at position`);
    expect(() => crossEntropy(zeros([2, 3]), labels(values))).toThrow("class count 3");
  });

  test.each([
    ["logits of rank 1", [6], [6], "logits [6] and labels [6]"],
    ["labels of rank 2", [2, 3], [2, 1], "logits [2, 3] and labels [2, 1]"],
    ["a batch-size mismatch", [2, 3], [3], "logits [2, 3] and labels [3]"],
  ])("rejects %s", (_, logitsShape, labelsShape, shapes) => {
    const call = () => crossEntropy(zeros(logitsShape), zeros(labelsShape, "int32"));

    expect(call).toThrow(ConfigError);
    expect(call).toThrow(`crossEntropy: expected logits [N, C] and labels [N], but got ${shapes}.`);
  });
});

describe("mse", () => {
  test("is the mean squared difference over every element", () => {
    const prediction = tensor([[1, 2], [3, 4]]);
    const target = tensor([[0, 2], [5, 1]]);

    // (1 + 0 + 4 + 9) / 4
    expect(mse(prediction, target)).toBeAllClose(3.5);
  });

  test("is zero for equal inputs", () => {
    const x = tensor([0.5, -2, 3]);

    expect(mse(x, x)).toBeAllClose(0);
  });

  test("rejects inputs of different shapes", () => {
    const call = () => mse(zeros([2, 3]), zeros([3, 2]));

    expect(call).toThrow(ConfigError);
    expect(call).toThrow("mse: prediction [2, 3] and target [3, 2] must have one shape.");
  });
});
