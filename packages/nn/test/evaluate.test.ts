/** evaluate: accuracy of a chain of modules on a batch source. */
import { Dataset } from "@modular/datasets";
import { tensor } from "@modular/tensor";
import { describe, expect, test } from "vitest";
import { evaluate, Linear } from "../src/index.js";

/** Build a Linear(2 -> 2) that predicts the index of the larger input value. */
function argmaxLayer(): Linear {
  const layer = new Linear(2, 2);
  layer.weight.assign(tensor([[1, 0], [0, 1]]));
  return layer;
}

// Predictions argmax(x): 0, 1, 0, 1, 1 against labels 0, 1, 1, 1, 0, so 3 of 5 are right.
const SOURCE = new Dataset({
  name: "hand-made",
  images: Float32Array.from([1, 0, 0, 1, 2, 1, 0, 3, 1, 2]),
  labels: Int32Array.from([0, 1, 1, 1, 0]),
  sampleShape: [2],
  classes: 2,
});

describe("evaluate", () => {
  test.each([1, 2, 1000])("counts correct argmax predictions in batches of %i", async (batchSize) => {
    const result = await evaluate([argmaxLayer()], SOURCE, batchSize);

    expect(result).toEqual({ accuracy: 0.6, samples: 5 });
  });

  test("chains the modules", async () => {
    const negate = new Linear(2, 2, { bias: false });
    negate.weight.assign(tensor([[-1, 0], [0, -1]]));

    // Negated inputs flip every prediction: 2 of 5 are right.
    expect(await evaluate([negate, argmaxLayer()], SOURCE)).toEqual({ accuracy: 0.4, samples: 5 });
  });

  test("restores each module's mode", async () => {
    const training = argmaxLayer();
    const frozen = new Linear(2, 2).eval();
    await evaluate([frozen, training], SOURCE);

    expect(training.training).toBe(true);
    expect(frozen.training).toBe(false);
  });
});

describe("evaluate metrics", () => {
  // Six classes, so top-5 excludes exactly the lowest output. Outputs per sample:
  // sample 0: label 0, best class 0 (top 1 and top 5 right);
  // sample 1: label 1, best class 2, label second (top 5 right);
  // sample 2: label 5, label has the lowest output (both wrong).
  const scores = new Dataset({
    name: "six-class scores",
    images: Float32Array.from([
      [9, 1, 2, 3, 4, 5],
      [0, 8, 9, 1, 2, 3],
      [5, 4, 3, 2, 1, 0],
    ].flat()),
    labels: Int32Array.from([0, 1, 5]),
    sampleShape: [6],
    classes: 6,
  });
  const identity = () => {
    const layer = new Linear(6, 6, { bias: false });
    layer.weight.assign(tensor(Array.from({ length: 6 }, (_, i) => Array.from({ length: 6 }, (_, j) => (i === j ? 1 : 0)))));
    return layer;
  };

  test("top-5 accuracy", async () => {
    const result = await evaluate([identity()], scores, { top5: true });

    expect(result.accuracy).toBeCloseTo(1 / 3, 6);
    expect(result.top5Accuracy).toBeCloseTo(2 / 3, 6);
    expect(result.confusionMatrix).toBeUndefined();
  });

  test("confusion matrix by label and prediction", async () => {
    const result = await evaluate([argmaxLayer()], SOURCE, { batchSize: 2, confusionMatrix: true });

    // Labels 0, 1, 1, 1, 0 against predictions 0, 1, 0, 1, 1.
    expect(Array.from(result.confusionMatrix!)).toEqual([1, 1, 1, 2]);
  });

  test("top-5 of fewer than 5 classes is 1", async () => {
    const result = await evaluate([argmaxLayer()], SOURCE, { top5: true, confusionMatrix: true });

    expect(result.top5Accuracy).toBe(1);
    expect(result.accuracy).toBe(0.6);
  });

  test("rejects an invalid batch size", async () => {
    await expect(evaluate([argmaxLayer()], SOURCE, { batchSize: 0 })).rejects.toThrow(/batchSize 0 is invalid/);
  });
});
