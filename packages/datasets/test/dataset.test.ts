import { InvalidArgumentError, type Tensor } from "@modular/tensor";
import { describe, expect, it } from "vitest";
import { type Batch, Dataset } from "../src/dataset.js";
import { DatasetFormatError } from "../src/errors.js";

const SAMPLE_SHAPE = [1, 2, 2];
const FEATURES = 4;

/**
 * Builds a dataset of `size` samples where sample i has label i mod `classes` and
 * every pixel of sample i equals (i + 1) / 1000, so a batch row identifies its sample.
 */
function numberedDataset(size: number, classes = size || 1): Dataset {
  const images = new Float32Array(size * FEATURES);
  const labels = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    images.fill((i + 1) / 1000, i * FEATURES, (i + 1) * FEATURES);
    labels[i] = i % classes;
  }
  return new Dataset({ name: "numbered", images, labels, sampleShape: SAMPLE_SHAPE, classes });
}

/** Sample index of each row of `x`, read from the first pixel of the row. */
function sampleIds(x: Tensor): number[] {
  const values = x.dataSync();
  const ids: number[] = [];
  for (let row = 0; row < x.shape[0]!; row++) ids.push(Math.round(values[row * FEATURES]! * 1000) - 1);
  return ids;
}

/** Sample order of one epoch, disposing each batch. */
function epochOrder(dataset: Dataset, options: Parameters<Dataset["batches"]>[0]): number[] {
  const order: number[] = [];
  for (const batch of dataset.batches(options)) {
    order.push(...sampleIds(batch.x));
    dispose(batch);
  }
  return order;
}

function dispose(batch: Batch): void {
  batch.x.dispose();
  batch.y.dispose();
}

function catchFormatError(fn: () => unknown): DatasetFormatError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetFormatError);
    return error as DatasetFormatError;
  }
  throw new Error("expected a DatasetFormatError, but nothing was thrown");
}

describe("Dataset constructor", () => {
  it("stores size, features and a frozen sample shape", () => {
    const dataset = numberedDataset(6, 3);

    expect(dataset.size).toBe(6);
    expect(dataset.features).toBe(FEATURES);
    expect(dataset.classes).toBe(3);
    expect(dataset.sampleShape).toEqual(SAMPLE_SHAPE);
    expect(Object.isFrozen(dataset.sampleShape)).toBe(true);
  });

  it("rejects an images length that does not match the labels", () => {
    const error = catchFormatError(
      () =>
        new Dataset({
          name: "short",
          images: new Float32Array(10),
          labels: new Int32Array(3),
          sampleShape: SAMPLE_SHAPE,
          classes: 10,
        }),
    );

    expect(error.source).toBe('dataset "short"');
    expect(error.location).toBe("images length");
    expect(error.expected).toBe("12 values (3 labels × 4 values per sample of shape [1, 2, 2])");
    expect(error.found).toBe("10");
  });

  it.each([
    { case: "negative label", label: -1 },
    { case: "label equal to classes", label: 10 },
  ])("rejects a $case with its position", ({ label }) => {
    const labels = Int32Array.of(0, 9, label, 1);

    const error = catchFormatError(
      () => new Dataset({ name: "digits", images: new Float32Array(16), labels, sampleShape: SAMPLE_SHAPE, classes: 10 }),
    );

    expect(error.source).toBe('dataset "digits"');
    expect(error.location).toBe("labels[2]");
    expect(error.expected).toBe("a class index in [0, 10)");
    expect(error.found).toBe(`${label}`);
  });

  it.each([
    { case: "empty sampleShape", field: "sampleShape", init: { sampleShape: [] } },
    { case: "zero dimension", field: "sampleShape", init: { sampleShape: [1, 0] } },
    { case: "zero classes", field: "classes", init: { classes: 0 } },
    { case: "Float64Array images", field: "images", init: { images: new Float64Array(4) } },
    { case: "plain array labels", field: "labels", init: { labels: [0] } },
  ])("rejects $case", ({ field, init }) => {
    const valid = { name: "one", images: new Float32Array(4), labels: Int32Array.of(0), sampleShape: [4], classes: 2 };

    const error = catchFormatError(() => new Dataset({ ...valid, ...init } as never));

    expect(error.location).toBe(field);
  });
});

describe("Dataset.batches", () => {
  it("yields full batches and a partial last batch", () => {
    const dataset = numberedDataset(10);
    const shapes: { x: readonly number[]; y: readonly number[] }[] = [];

    for (const batch of dataset.batches({ batchSize: 4, seed: 1 })) {
      expect(batch.x.dtype).toBe("float32");
      expect(batch.y.dtype).toBe("int32");
      shapes.push({ x: batch.x.shape, y: batch.y.shape });
      dispose(batch);
    }

    expect(shapes).toEqual([
      { x: [4, 1, 2, 2], y: [4] },
      { x: [4, 1, 2, 2], y: [4] },
      { x: [2, 1, 2, 2], y: [2] },
    ]);
  });

  it("visits every sample exactly once per epoch", () => {
    const dataset = numberedDataset(23);

    const order = epochOrder(dataset, { batchSize: 5, seed: 9, epoch: 4 });

    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  it("keeps each label with its image", () => {
    const dataset = numberedDataset(17, 17);

    for (const batch of dataset.batches({ batchSize: 6, seed: 3 })) {
      expect(Array.from(batch.y.dataSync())).toEqual(sampleIds(batch.x));
      dispose(batch);
    }
  });

  it("repeats the order for the same seed and epoch", () => {
    const dataset = numberedDataset(50);

    const first = epochOrder(dataset, { batchSize: 8, seed: 5, epoch: 2 });
    const second = epochOrder(dataset, { batchSize: 8, seed: 5, epoch: 2 });

    expect(second).toEqual(first);
  });

  it("changes the order with the epoch", () => {
    const dataset = numberedDataset(50);

    const epoch0 = epochOrder(dataset, { batchSize: 8, seed: 5, epoch: 0 });
    const epoch1 = epochOrder(dataset, { batchSize: 8, seed: 5, epoch: 1 });

    expect(epoch1).not.toEqual(epoch0);
  });

  it("changes the order with the seed", () => {
    const dataset = numberedDataset(50);

    expect(epochOrder(dataset, { batchSize: 8, seed: 1 })).not.toEqual(epochOrder(dataset, { batchSize: 8, seed: 2 }));
  });

  it("does not depend on the batch size", () => {
    const dataset = numberedDataset(30);

    expect(epochOrder(dataset, { batchSize: 7, seed: 4 })).toEqual(epochOrder(dataset, { batchSize: 30, seed: 4 }));
  });

  it("shuffles by default", () => {
    const dataset = numberedDataset(30);

    expect(epochOrder(dataset, { batchSize: 7 })).not.toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it("keeps the stored order without shuffle", () => {
    const dataset = numberedDataset(11);

    const order = epochOrder(dataset, { batchSize: 4, shuffle: false, seed: 8 });

    expect(order).toEqual(Array.from({ length: 11 }, (_, i) => i));
  });

  it("yields nothing for an empty dataset", () => {
    const dataset = numberedDataset(0);

    expect([...dataset.batches({ batchSize: 4 })]).toEqual([]);
  });

  it.each([0, -2, 2.5, Number.NaN])("rejects batchSize %s at the call", (batchSize) => {
    const dataset = numberedDataset(4);

    expect(() => dataset.batches({ batchSize })).toThrow(InvalidArgumentError);
    expect(() => dataset.batches({ batchSize })).toThrow(`batchSize ${batchSize} is invalid`);
  });

  it("rejects a negative seed at the call", () => {
    const dataset = numberedDataset(4);

    expect(() => dataset.batches({ batchSize: 2, seed: -3 })).toThrow(InvalidArgumentError);
  });
});

describe("Dataset.batchArrays", () => {
  it("holds the values of batches() before upload", () => {
    const dataset = numberedDataset(5);
    const options = { batchSize: 2, seed: 4, epoch: 1 };
    const tensors = [...dataset.batches(options)];
    const arrays = [...dataset.batchArrays(options)];

    expect(arrays.map((batch) => Array.from(batch.x))).toEqual(tensors.map((batch) => Array.from(batch.x.dataSync())));
    expect(arrays.map((batch) => Array.from(batch.y))).toEqual(tensors.map((batch) => Array.from(batch.y.dataSync())));
    expect(arrays.map((batch) => [batch.start, batch.count])).toEqual([[0, 2], [2, 2], [4, 1]]);
  });
});

describe("Dataset.batchCount", () => {
  it.each([
    { size: 10, batchSize: 4, expected: 3 },
    { size: 12, batchSize: 4, expected: 3 },
    { size: 3, batchSize: 8, expected: 1 },
    { size: 0, batchSize: 8, expected: 0 },
  ])("returns $expected for $size samples in batches of $batchSize", ({ size, batchSize, expected }) => {
    expect(numberedDataset(size).batchCount(batchSize)).toBe(expected);
  });

  it("rejects batchSize 0", () => {
    expect(() => numberedDataset(3).batchCount(0)).toThrow(InvalidArgumentError);
  });
});

describe("Dataset.slice", () => {
  it("returns the samples from start to end", () => {
    const part = numberedDataset(10).slice(3, 7);

    expect(part.name).toBe("numbered[3:7]");
    expect(part.size).toBe(4);
    expect(Array.from(part.labels)).toEqual([3, 4, 5, 6]);
    expect(epochOrder(part, { batchSize: 4, shuffle: false })).toEqual([3, 4, 5, 6]);
  });

  it("defaults end to the size", () => {
    expect(numberedDataset(10).slice(8).size).toBe(2);
  });

  it("shares the parent's arrays", () => {
    const dataset = numberedDataset(10);

    const part = dataset.slice(2, 4);

    expect(part.images.buffer).toBe(dataset.images.buffer);
  });

  it.each([
    { start: -1, end: 3 },
    { start: 0, end: 11 },
    { start: 5, end: 4 },
    { start: 1.5, end: 4 },
  ])("rejects start $start and end $end", ({ start, end }) => {
    expect(() => numberedDataset(10).slice(start, end)).toThrow(InvalidArgumentError);
  });
});

describe("Dataset.subset", () => {
  it("returns the samples at the indices, in that order", () => {
    const part = numberedDataset(10).subset([9, 0, 4, 4]);

    expect(part.size).toBe(4);
    expect(Array.from(part.labels)).toEqual([9, 0, 4, 4]);
    expect(epochOrder(part, { batchSize: 4, shuffle: false })).toEqual([9, 0, 4, 4]);
  });

  it("copies the arrays", () => {
    const dataset = numberedDataset(5);

    const part = dataset.subset([1]);

    expect(part.images.buffer).not.toBe(dataset.images.buffer);
  });

  it.each([-1, 10, 2.5])("rejects index %s", (index) => {
    expect(() => numberedDataset(10).subset([0, index])).toThrow(`indices[1] = ${index} is invalid`);
  });
});

describe("Dataset.classCounts", () => {
  it("counts the samples of each class", () => {
    expect(Array.from(numberedDataset(7, 3).classCounts())).toEqual([3, 2, 2]);
  });
});
