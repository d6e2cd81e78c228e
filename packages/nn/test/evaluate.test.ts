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
