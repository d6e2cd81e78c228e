/**
 * Pair labels and k-shot subsets, for training hidden layers from pair
 * labels 1{yᵢ = yⱼ} alone and an output layer from k labelled examples per
 * class (Duan, Yu and Príncipe, "Modularizing deep learning via pairwise
 * learning with kernels", IEEE TNNLS 2021).
 *
 * `PairLabelledSource` builds each batch's pair-label matrix in host memory
 * from the class labels and uploads only that matrix, so a training step
 * that receives its batches never reads a class id.
 */
import { InvalidArgumentError, type Shape, type Tensor, tensor } from "@modular/tensor";
import type { BatchOptions, Dataset, HostBatch } from "./dataset.js";
import { prefetch } from "./prefetch.js";
import { shuffledIndices } from "./shuffle.js";

/** A batch of pair labels only: `x` [B, ...sampleShape] and `pairs` [B, B] float32, 1 where samples i and j share a class. */
export interface PairBatch {
  readonly x: Tensor;
  readonly pairs: Tensor;
  readonly y?: undefined;
}

/** A labelled source that `PairLabelledSource` can wrap, such as a `Dataset` or an `AugmentedDataset`. */
export interface HostBatchSource {
  readonly name: string;
  readonly size: number;
  readonly classes: number;
  readonly sampleShape: Shape;
  batchArrays(options: BatchOptions): Iterable<HostBatch>;
}

/** Return the [count, count] pair-label matrix of `labels`, row-major: 1 where labels[i] = labels[j]. */
export function pairMatrix(labels: Int32Array): Float32Array {
  const count = labels.length;
  const pairs = new Float32Array(count * count);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < count; j++) pairs[i * count + j] = labels[i] === labels[j] ? 1 : 0;
  }
  return pairs;
}

/**
 * The batches of a labelled source with the class labels replaced by the
 * pair labels of each batch. Batch order, shuffles and augmentation are
 * those of the wrapped source.
 */
export class PairLabelledSource {
  /** Tells the runner of `@modular/nn` that the batches carry pair labels only. */
  readonly labelKind = "pairs" as const;
  readonly name: string;
  readonly size: number;
  /** Number of classes of the task. The batches do not reveal which class a sample has. */
  readonly classes: number;
  readonly sampleShape: Shape;
  readonly #source: HostBatchSource;

  constructor(source: HostBatchSource) {
    this.#source = source;
    this.name = `${source.name} (pair labels)`;
    this.size = source.size;
    this.classes = source.classes;
    this.sampleShape = source.sampleShape;
  }

  /** Yields one epoch of batches of `x` and `pairs`, in the order of the wrapped source's `batchArrays(options)`. */
  batches(options: BatchOptions): Generator<PairBatch, void, undefined> {
    const arrays = this.#source.batchArrays(options);
    const shape = this.sampleShape;
    return (function* () {
      for (const { x, y, count } of arrays) {
        yield { x: tensor(x, [count, ...shape]), pairs: tensor(pairMatrix(y), [count, count]) };
      }
    })();
  }

  /** Yields the batches of `batches(options)`, preparing each next batch while the consumer awaits. */
  prefetchBatches(options: BatchOptions): AsyncGenerator<PairBatch, void, undefined> {
    return prefetch(this.batches(options), (batch) => {
      batch.x.dispose();
      batch.pairs.dispose();
    });
  }
}

/** Wrap `source` so that its batches carry pair labels instead of class labels. */
export function pairLabelled(source: HostBatchSource): PairLabelledSource {
  return new PairLabelledSource(source);
}

/** A k-shot subset and where its samples came from. */
export interface ShotSubset {
  /** `shots` samples of each class, ordered by class, then by draw. */
  readonly dataset: Dataset;
  /** Index in the original dataset of each sample of `dataset`. */
  readonly indices: Int32Array;
}

/**
 * Draw `shots` samples of each class from `dataset`, the first ones of each
 * class in the seeded order `shuffledIndices(size, { seed, epoch: 0 })`.
 * Throws `InvalidArgumentError` when `shots` is not a positive integer or a
 * class has fewer than `shots` samples.
 */
export function sampleShots(dataset: Dataset, shots: number, seed: number): ShotSubset {
  if (!Number.isInteger(shots) || shots < 1) {
    throw new InvalidArgumentError(`sampleShots: shots ${shots} is invalid. It must be a positive integer, e.g. 1.`);
  }
  const counts = dataset.classCounts();
  const scarce = counts.findIndex((count) => count < shots);
  if (scarce >= 0) {
    throw new InvalidArgumentError(
      `sampleShots: class ${scarce} of dataset "${dataset.name}" has ${counts[scarce]} samples, fewer than ${shots} shots. ` +
        `Use at most ${Math.min(...counts)} shots, or more training samples.`,
    );
  }

  const byClass: number[][] = Array.from({ length: dataset.classes }, () => []);
  for (const index of shuffledIndices(dataset.size, { seed, epoch: 0 })) {
    const chosen = byClass[dataset.labels[index]!]!;
    if (chosen.length < shots) chosen.push(index);
  }
  const indices = Int32Array.from(byClass.flat());
  const subset = dataset.subset(indices);
  return { dataset: subset, indices };
}
