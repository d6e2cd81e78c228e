/** Seeded runs: one seed, one backend, bit-identical weights. */
import { augmented, loadMnist } from "@modular/datasets";
import { expect, test } from "vitest";
import { backprop, mlp, train } from "../src/index.js";

async function trainedWeights(seed: number, augment = false): Promise<Float32Array[]> {
  const { train: digits } = await loadMnist();
  const slice = digits.slice(0, 300);
  const trainSet = augment ? augmented(slice, { cropPadding: 2, horizontalFlip: true }) : slice;
  const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [16], classes: 10 }, seed);
  await train({
    modules: [model],
    method: backprop(),
    train: trainSet,
    epochs: 2,
    batchSize: 32,
    seed,
    optimizer: { kind: "adam", lr: 1e-3 },
  });
  return Promise.all(model.parameters().map(async (p) => (await p.value.data()) as Float32Array));
}

test("two runs with one seed give identical weights", { timeout: 60_000 }, async () => {
  const first = await trainedWeights(7);
  const second = await trainedWeights(7);

  expect(second).toEqual(first);
});

test("another seed gives other weights", { timeout: 60_000 }, async () => {
  const first = await trainedWeights(7);
  const other = await trainedWeights(8);

  expect(other[0]).not.toEqual(first[0]);
});

test("augmented runs with one seed give identical weights", { timeout: 60_000 }, async () => {
  const first = await trainedWeights(7, true);
  const second = await trainedWeights(7, true);
  const plain = await trainedWeights(7);

  expect(second).toEqual(first);
  expect(first[0]).not.toEqual(plain[0]);
});
