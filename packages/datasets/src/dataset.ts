/**
 * `Dataset`: labelled samples in two flat typed arrays, and the batching that
 * turns them into tensors. Loaders build a `Dataset`, and training code only
 * calls `batches()`.
 */
import { formatShape, InvalidArgumentError, type Shape, sizeOf, type Tensor, tensor } from "@modular/tensor";
import { DatasetFormatError } from "./errors.js";
import { prefetchBatches } from "./prefetch.js";
import { shuffledIndices } from "./shuffle.js";

/** The fields of a new `Dataset`. */
export interface DatasetInit {
  /** Name used in error messages and in the names of slices, e.g. `"fashion-mnist/train"`. */
  readonly name: string;
  /**
   * N × product(sampleShape) values, one sample per row, row-major. The loaders of
   * this package scale pixels to [0, 1], but the constructor does not check the range.
   */
  readonly images: Float32Array;
  /** N class indices, each in [0, classes). */
  readonly labels: Int32Array;
  /** Shape of one sample, e.g. `[1, 28, 28]` (channels, height, width). */
  readonly sampleShape: Shape;
  /** Number of classes. */
  readonly classes: number;
}

/** One batch: `x` is float32 `[B, ...sampleShape]` and `y` is int32 `[B]`. */
export interface Batch {
  readonly x: Tensor;
  readonly y: Tensor;
}

/** One batch in host memory, before upload: `x` has `count` rows of `features` values, `y` has `count` labels. */
export interface HostBatch {
  readonly x: Float32Array;
  readonly y: Int32Array;
  /** Number of samples in the batch. */
  readonly count: number;
  /** Position in the epoch's order of the batch's first sample, from 0. */
  readonly start: number;
}

/** Options of `Dataset.batches`. */
export interface BatchOptions {
  /** Samples per batch, a positive integer. The last batch contains the remainder and may be smaller. */
  readonly batchSize: number;
  /** Visit the samples in a seeded random order (default `true`), or in stored order. */
  readonly shuffle?: boolean;
  /** Seed of the shuffle, an integer from 0 to 2^32 - 1 (default 0). */
  readonly seed?: number;
  /** Epoch number, which selects a different order per epoch for the same seed (default 0). */
  readonly epoch?: number;
}

/** The training and test parts of a data source. */
export interface DatasetSplit {
  readonly train: Dataset;
  readonly test: Dataset;
}

/**
 * Labelled samples for classification. `images` contains `size` rows of
 * `features` values and `labels` contains `size` class indices. The constructor
 * validates both and never drops or relabels a sample.
 */
export class Dataset {
  readonly name: string;
  readonly images: Float32Array;
  readonly labels: Int32Array;
  readonly sampleShape: Shape;
  readonly classes: number;
  /** Number of samples, N. */
  readonly size: number;
  /** Values per sample, product(sampleShape). */
  readonly features: number;

  /** Throws `DatasetFormatError` if the arrays do not match `sampleShape` and `classes`. */
  constructor(init: DatasetInit) {
    const source = `dataset "${init.name}"`;
    checkSampleShape(source, init.sampleShape);
    checkClassCount(source, init.classes);
    checkArrays(source, init.images, init.labels);

    const features = sizeOf(init.sampleShape);
    const size = init.labels.length;
    if (init.images.length !== size * features) {
      throw new DatasetFormatError({
        source,
        location: "images length",
        expected:
          `${size * features} values (${size} labels × ${features} values per sample of shape ` +
          `${formatShape(init.sampleShape)})`,
        found: `${init.images.length}`,
      });
    }
    checkLabels(source, init.labels, init.classes);

    this.name = init.name;
    this.images = init.images;
    this.labels = init.labels;
    this.sampleShape = Object.freeze([...init.sampleShape]);
    this.classes = init.classes;
    this.size = size;
    this.features = features;
  }

  /** Number of batches of `batchSize` in one epoch, counting the last partial batch: ceil(size / batchSize). */
  batchCount(batchSize: number): number {
    checkBatchSize(this.name, batchSize);
    return Math.ceil(this.size / batchSize);
  }

  /**
   * Yields one epoch of batches: `x` float32 `[B, ...sampleShape]` and `y`
   * int32 `[B]`, with B = `batchSize` except for the last batch, which contains
   * the remaining samples. Each sample appears exactly once per epoch. With
   * `shuffle` (the default), the order is a seeded Fisher–Yates shuffle that
   * depends only on (`seed`, `epoch`). The caller owns each batch's tensors
   * and disposes them. A `tidy` around the loop body does not free them,
   * because the generator creates them outside that callback.
   *
   * Throws `InvalidArgumentError` at the call, not at the first `next()`, if
   * `batchSize` is invalid, or if `seed` or `epoch` is invalid when shuffling.
   */
  batches(options: BatchOptions): Generator<Batch, void, undefined> {
    return this.uploadBatches(this.batchArrays(options));
  }

  /**
   * Yields the batches of `batches(options)`, preparing each next batch while
   * the consumer awaits (see `prefetchBatches`). The runner of `@modular/nn`
   * iterates this way.
   */
  prefetchBatches(options: BatchOptions): AsyncGenerator<Batch, void, undefined> {
    return prefetchBatches(this, options);
  }

  /**
   * Yields the batches of `batches(options)` as host arrays, before they
   * become tensors, so augmentation can change them first. Same order and
   * the same argument checks, made at the call.
   */
  batchArrays(options: BatchOptions): Generator<HostBatch, void, undefined> {
    checkBatchSize(this.name, options.batchSize);

    let order: Int32Array | undefined;
    if (options.shuffle ?? true) {
      order = shuffledIndices(this.size, { seed: options.seed ?? 0, epoch: options.epoch ?? 0 });
    }
    return this.generateBatches(options.batchSize, order);
  }

  /**
   * Returns samples `start` (inclusive) to `end` (exclusive) as a new
   * `Dataset` that shares this one's arrays. Requires
   * 0 <= start <= end <= size, and `end` defaults to `size`.
   */
  slice(start: number, end: number = this.size): Dataset {
    for (const [name, value] of [["start", start], ["end", end]] as const) {
      if (!Number.isInteger(value) || value < 0 || value > this.size) {
        throw new InvalidArgumentError(
          `Dataset "${this.name}".slice(): ${name} ${value} is invalid. It must be an integer from 0 to ${this.size}.`,
        );
      }
    }
    if (start > end) {
      throw new InvalidArgumentError(
        `Dataset "${this.name}".slice(): start ${start} is after end ${end}. Pass start <= end.`,
      );
    }

    return new Dataset({
      name: `${this.name}[${start}:${end}]`,
      images: this.images.subarray(start * this.features, end * this.features),
      labels: this.labels.subarray(start, end),
      sampleShape: this.sampleShape,
      classes: this.classes,
    });
  }

  /**
   * Returns the samples at `indices`, in that order, as a new `Dataset` with
   * copied arrays. An index may repeat.
   */
  subset(indices: ArrayLike<number>): Dataset {
    const count = indices.length;
    const images = new Float32Array(count * this.features);
    const labels = new Int32Array(count);
    for (let row = 0; row < count; row++) {
      const index = indices[row]!;
      if (!Number.isInteger(index) || index < 0 || index >= this.size) {
        throw new InvalidArgumentError(
          `Dataset "${this.name}".subset(): indices[${row}] = ${index} is invalid. ` +
            `It must be an integer from 0 to ${this.size - 1}.`,
        );
      }
      images.set(this.images.subarray(index * this.features, (index + 1) * this.features), row * this.features);
      labels[row] = this.labels[index]!;
    }

    return new Dataset({
      name: `${this.name}[subset of ${count}]`,
      images,
      labels,
      sampleShape: this.sampleShape,
      classes: this.classes,
    });
  }

  /** Returns the number of samples of each class, `classes` entries. */
  classCounts(): Int32Array {
    const counts = new Int32Array(this.classes);
    for (const label of this.labels) counts[label]!++;
    return counts;
  }

  private *uploadBatches(arrays: Iterable<HostBatch>): Generator<Batch, void, undefined> {
    for (const { x, y, count } of arrays) yield { x: tensor(x, [count, ...this.sampleShape]), y: tensor(y, [count]) };
  }

  /** Copies each batch's rows into one array per tensor, so a batch costs two uploads. */
  private *generateBatches(batchSize: number, order: Int32Array | undefined): Generator<HostBatch, void, undefined> {
    const features = this.features;
    for (let start = 0; start < this.size; start += batchSize) {
      const count = Math.min(batchSize, this.size - start);
      const x = new Float32Array(count * features);
      const y = new Int32Array(count);

      if (order === undefined) {
        x.set(this.images.subarray(start * features, (start + count) * features));
        y.set(this.labels.subarray(start, start + count));
      } else {
        for (let row = 0; row < count; row++) {
          const sample = order[start + row]!;
          x.set(this.images.subarray(sample * features, (sample + 1) * features), row * features);
          y[row] = this.labels[sample]!;
        }
      }

      yield { x, y, count, start };
    }
  }
}

function checkBatchSize(name: string, batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidArgumentError(
      `Dataset "${name}": batchSize ${batchSize} is invalid. It must be a positive integer.`,
    );
  }
}

function checkSampleShape(source: string, sampleShape: Shape): void {
  const valid = sampleShape.length > 0 && sampleShape.every((dim) => Number.isInteger(dim) && dim > 0);
  if (!valid) {
    throw new DatasetFormatError({
      source,
      location: "sampleShape",
      expected: "at least one dimension, each a positive integer",
      found: formatShape(sampleShape),
    });
  }
}

function checkClassCount(source: string, classes: number): void {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new DatasetFormatError({ source, location: "classes", expected: "a positive integer", found: `${classes}` });
  }
}

function checkArrays(source: string, images: unknown, labels: unknown): void {
  if (!(images instanceof Float32Array)) {
    throw new DatasetFormatError({
      source,
      location: "images",
      expected: "a Float32Array",
      found: describeValue(images),
    });
  }
  if (!(labels instanceof Int32Array)) {
    throw new DatasetFormatError({
      source,
      location: "labels",
      expected: "an Int32Array",
      found: describeValue(labels),
    });
  }
}

function checkLabels(source: string, labels: Int32Array, classes: number): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label < 0 || label >= classes) {
      throw new DatasetFormatError({
        source,
        location: `labels[${i}]`,
        expected: `a class index in [0, ${classes})`,
        found: `${label}`,
      });
    }
  }
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "an object";
  return typeof value;
}
