/** Which Proxy Objective schemes train from pair labels only, and which reject them before training. */
import { Dataset, pairLabelled, sampleShots } from "@modular/datasets";
import { MissingClassLabelsError, mlp, sameClassMatrix, splitBeforeOutput, train, type TrainingMethod } from "@modular/nn";
import { randomNormal, tensor } from "@modular/tensor";
import "@modular/testing";
import { describe, expect, test } from "vitest";
import {
  auxClassifierProxy,
  auxSimProxy,
  contrastiveProxy,
  kernelProxy,
  pairSimilarityMatchingLoss,
  predProxy,
  predSimProxy,
  similarityMatchingLoss,
  simProxy,
} from "../src/index.js";

/** 40 samples of 4 features in 4 classes; feature 0 is the class over 4, the rest filler. */
function smallDataset(): Dataset {
  const count = 40;
  const images = new Float32Array(count * 4);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 4;
    images[i * 4] = labels[i]! / 4;
    for (let j = 1; j < 4; j++) images[i * 4 + j] = ((i * 7 + j * 13) % 17) / 17;
  }
  return new Dataset({ name: "small", images, labels, sampleShape: [4], classes: 4 });
}

function pairwiseRun(method: TrainingMethod) {
  const data = smallDataset();
  return train({
    modules: splitBeforeOutput(mlp({ kind: "mlp", inputShape: [4], hidden: [6], classes: 4 })),
    method,
    train: pairLabelled(data),
    labelled: sampleShots(data, 1, 0).dataset,
    epochs: 1,
    batchSize: 8,
    optimizer: { kind: "adam", lr: 1e-3 },
  });
}

describe("pair labels only", () => {
  test.each([
    ["proxy/kernel", kernelProxy()],
    ["proxy/sim", simProxy()],
    ["proxy/aux-sim", auxSimProxy()],
    ["proxy/contrastive", contrastiveProxy()],
  ])("%s trains", async (_name, method) => {
    const result = await pairwiseRun(method);
    expect(Object.keys(result.finalLosses)).toHaveLength(2);
  });

  test.each([
    ["proxy/pred", predProxy()],
    ["proxy/predsim", predSimProxy()],
    ["proxy/aux-classifier", auxClassifierProxy()],
    ["proxy/sim", simProxy({ schedule: "simultaneous" })],
  ])("%s is rejected", async (name, method) => {
    const run = pairwiseRun(method);
    await expect(run).rejects.toThrow(MissingClassLabelsError);
    await expect(run).rejects.toThrow(`${name} (phase "`);
  });
});

describe("pairSimilarityMatchingLoss", () => {
  test.each([2, 3, 5])("equals the class-label loss for %i classes", (classes) => {
    const labels = tensor(Int32Array.from({ length: 9 }, (_, i) => (i * 7) % classes), [9]);
    const features = randomNormal([9, 6], { seed: classes });
    const expected = similarityMatchingLoss(features, labels, classes).arraySync() as number;
    expect(pairSimilarityMatchingLoss(features, sameClassMatrix(labels), classes)).toBeAllClose(expected, { atol: 1e-6 });
  });
});
