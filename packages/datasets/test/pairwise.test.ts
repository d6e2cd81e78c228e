import { InvalidArgumentError } from "@modular/tensor";
import { describe, expect, it } from "vitest";
import { Dataset } from "../src/dataset.js";
import { pairLabelled, pairMatrix, sampleShots } from "../src/pairwise.js";

/** `labels.length` samples of 2 features; sample i has both features equal to i, so a batch row names its sample. */
function labelledDataset(labels: number[], classes: number): Dataset {
  const images = new Float32Array(labels.length * 2);
  labels.forEach((_, i) => images.fill(i, i * 2, i * 2 + 2));
  return new Dataset({ name: "labelled", images, labels: Int32Array.from(labels), sampleShape: [2], classes });
}

const LABELS = [0, 1, 2, 0, 1, 2, 2, 0, 1, 1, 0, 2];

describe("pairMatrix", () => {
  it("marks same-class pairs with 1", () => {
    expect(Array.from(pairMatrix(Int32Array.from([3, 1, 3])))).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1]);
  });
});

describe("PairLabelledSource", () => {
  const dataset = labelledDataset(LABELS, 3);

  it("declares pair labels", () => {
    const source = pairLabelled(dataset);
    expect(source.labelKind).toBe("pairs");
    expect(source.size).toBe(dataset.size);
    expect(source.classes).toBe(3);
  });

  it("yields batches without class labels", () => {
    for (const batch of pairLabelled(dataset).batches({ batchSize: 5, seed: 3 })) {
      expect(Object.keys(batch).sort()).toEqual(["pairs", "x"]);
      expect(batch.y).toBeUndefined();
      batch.x.dispose();
      batch.pairs.dispose();
    }
  });

  it("gives the same-class matrix of each batch", () => {
    for (const batch of pairLabelled(dataset).batches({ batchSize: 5, seed: 7, epoch: 2 })) {
      const ids = Array.from(batch.x.dataSync()).filter((_, i) => i % 2 === 0);
      const expected = ids.flatMap((i) => ids.map((j) => (LABELS[i] === LABELS[j] ? 1 : 0)));
      expect(batch.pairs.shape).toEqual([ids.length, ids.length]);
      expect(batch.pairs.dtype).toBe("float32");
      expect(Array.from(batch.pairs.dataSync())).toEqual(expected);
      batch.x.dispose();
      batch.pairs.dispose();
    }
  });

  it("keeps the wrapped source's order", () => {
    const options = { batchSize: 4, seed: 11, epoch: 1 };
    const order = (batches: Iterable<{ x: { dataSync(): ArrayLike<number>; dispose(): void } }>) =>
      [...batches].flatMap((batch) => {
        const values = Array.from(batch.x.dataSync());
        batch.x.dispose();
        return values;
      });
    const pairBatches = [...pairLabelled(dataset).batches(options)];
    pairBatches.forEach((batch) => batch.pairs.dispose());
    const labelled = [...dataset.batches(options)];
    labelled.forEach((batch) => batch.y.dispose());
    expect(order(pairBatches)).toEqual(order(labelled));
  });

  it("prefetches the same batches", async () => {
    const options = { batchSize: 5, seed: 2 };
    const seen: number[][] = [];
    for await (const batch of pairLabelled(dataset).prefetchBatches(options)) {
      expect(batch.y).toBeUndefined();
      seen.push(Array.from(batch.pairs.dataSync()));
      batch.x.dispose();
      batch.pairs.dispose();
    }
    const expected = [...pairLabelled(dataset).batches(options)].map((batch) => {
      batch.x.dispose();
      const values = Array.from(batch.pairs.dataSync());
      batch.pairs.dispose();
      return values;
    });
    expect(seen).toEqual(expected);
  });
});

describe("sampleShots", () => {
  const dataset = labelledDataset(LABELS, 3);

  it.each([1, 2, 4])("draws exactly %i per class", (shots) => {
    const { dataset: subset, indices } = sampleShots(dataset, shots, 5);
    expect(Array.from(subset.classCounts())).toEqual([shots, shots, shots]);
    expect(new Set(indices).size).toBe(indices.length);
    expect(Array.from(subset.labels)).toEqual(Array.from(indices, (index) => LABELS[index]));
    expect(Array.from(subset.images)).toEqual(Array.from(indices).flatMap((index) => [index, index]));
  });

  it("orders the subset by class", () => {
    expect(Array.from(sampleShots(dataset, 2, 0).dataset.labels)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it("repeats a draw for the same seed", () => {
    expect(Array.from(sampleShots(dataset, 2, 9).indices)).toEqual(Array.from(sampleShots(dataset, 2, 9).indices));
  });

  it("draws differently across seeds", () => {
    const draws = new Set([1, 2, 3, 4, 5, 6].map((seed) => Array.from(sampleShots(dataset, 1, seed).indices).join(",")));
    expect(draws.size).toBeGreaterThan(1);
  });

  it("rejects more shots than a class has", () => {
    expect(() => sampleShots(dataset, 5, 0)).toThrow(InvalidArgumentError);
    expect(() => sampleShots(dataset, 5, 0)).toThrow(/class 0 .* has 4 samples, fewer than 5 shots/);
  });

  it.each([0, -1, 1.5])("rejects shots %s", (shots) => {
    expect(() => sampleShots(dataset, shots, 0)).toThrow(/shots .* is invalid/);
  });
});
