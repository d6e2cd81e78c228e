/**
 * An MLP with batch normalization, a residual block, leaky ReLU and dropout,
 * trained by backprop on the embedded MNIST subset. The runner trains in
 * train mode and evaluates in eval mode, so dropout is off and batch
 * normalization uses its running statistics at test time. Chance is 10 %,
 * and the bound sits a few points under the measured accuracy.
 */
import { loadMnist } from "@modular/datasets";
import { expect, test } from "vitest";
import {
  BatchNorm1d,
  backprop,
  Dropout,
  evaluate,
  Flatten,
  LeakyReLU,
  Linear,
  ReLU,
  Residual,
  Sequential,
  train,
} from "../src/index.js";

// Measured on the cpu backend: 0.904 with seed 0, and 0.904 to 0.912 with seeds 0 to 3.
const MIN_TEST_ACCURACY = 0.87;

/** Flatten, Linear(784 -> 64), BatchNorm1d, ReLU, a residual block of Linear, BatchNorm1d and LeakyReLU, Dropout(0.2), Linear(64 -> 10). */
function buildModel(seed: number): Sequential {
  return new Sequential([
    new Flatten(),
    new Linear(784, 64, { seed, stream: 0 }),
    new BatchNorm1d(64),
    new ReLU(),
    new Residual(new Sequential([new Linear(64, 64, { seed, stream: 1 }), new BatchNorm1d(64), new LeakyReLU()]), {
      activation: new ReLU(),
    }),
    new Dropout(0.2, { seed }),
    new Linear(64, 10, { seed, stream: 2 }),
  ]);
}

test("MLP with batch norm, residual and dropout learns MNIST", { timeout: 180_000 }, async () => {
  const { train: trainSet, test: testSet } = await loadMnist();
  const model = buildModel(0);

  const result = await train({
    modules: [model],
    method: backprop(),
    train: trainSet.slice(0, 2000),
    test: testSet.slice(0, 500),
    epochs: 3,
    batchSize: 32,
    optimizer: { kind: "adam", lr: 1e-3 },
  });

  expect(result.testAccuracy).toBeGreaterThanOrEqual(MIN_TEST_ACCURACY);
  // Evaluating one sample at a time works only in eval mode: batch statistics need 2 or more samples.
  const single = await evaluate([model], testSet.slice(0, 500), 1);
  expect(single.accuracy).toBeCloseTo(result.testAccuracy!, 5);
  expect(model.training).toBe(true);
});
