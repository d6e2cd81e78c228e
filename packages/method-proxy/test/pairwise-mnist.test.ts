/**
 * `proxy/kernel` trained from pair labels only, on the embedded MNIST
 * subset: the hidden module receives batches of pair labels 1{yᵢ = yⱼ}, and the
 * output layer fits on one labelled example per class.
 *
 * Measured on the cpu backend with this configuration (2,000 training
 * samples, MLP [64], 3 epochs) over seeds 0 to 6: the trained run reaches
 * 0.660 to 0.816 test accuracy, while the output layer fitted on the same
 * single examples over untrained hidden layers reaches 0.278 to 0.384. The
 * bound 0.55 lies between, so a hidden phase that learns nothing from the
 * pairs fails it. Chance is 0.1.
 */
import { loadMnist, pairLabelled, sampleShots } from "@modular/datasets";
import { createOptimizer, mlp, splitBeforeOutput, train, type TrainingMethod } from "@modular/nn";
import { expect, test } from "vitest";
import { kernelProxy } from "../src/index.js";
import { outputPhase } from "../src/local.js";

/** The output phase of `proxy/kernel` alone, at its default rate: what the run reaches if the hidden phase learns nothing. */
const outputOnly: TrainingMethod = {
  name: "output layer only",
  plan(modules, context) {
    const optimizer = createOptimizer(context.optimizer);
    optimizer.lr *= 10;
    return [outputPhase(modules, context, undefined, optimizer)];
  },
};

async function oneShotAccuracy(method: TrainingMethod, seed: number): Promise<number> {
  const { train: trainSet, test: testSet } = await loadMnist();
  const trainPart = trainSet.slice(0, 2000);
  const model = mlp({ kind: "mlp", inputShape: [1, 28, 28], hidden: [64], classes: 10 }, seed);
  const shots = sampleShots(trainPart, 1, seed);

  const result = await train({
    modules: splitBeforeOutput(model),
    method,
    train: pairLabelled(trainPart),
    labelled: shots.dataset,
    test: testSet.slice(0, 500),
    epochs: 3,
    batchSize: 32,
    seed,
    optimizer: { kind: "adam", lr: 1e-3 },
  });
  model.dispose();
  return result.testAccuracy!;
}

test("kernel proxy from pairs and 1 shot", { timeout: 120_000 }, async () => {
  expect(await oneShotAccuracy(kernelProxy(), 0)).toBeGreaterThanOrEqual(0.55);
});

test("output layer alone stays below the bound", { timeout: 120_000 }, async () => {
  expect(await oneShotAccuracy(outputOnly, 0)).toBeLessThan(0.55);
});
