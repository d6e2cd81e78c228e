/**
 * Seeded data augmentation for images: a random crop from the image padded
 * with zeros, and a random horizontal flip. The draws for the sample at
 * position p of an epoch's order come from one Philox block keyed by
 * (seed, epoch), so the same (seed, epoch) gives the same augmented batches
 * in every runtime. The block counters start at 2^31, far from the counters
 * the shuffle of that (seed, epoch) uses, so the two draws are independent.
 */
import { InvalidArgumentError, philoxBlock, randomKey, type Shape, wordToUniform } from "@modular/tensor";
import { tensor } from "@modular/tensor";
import type { Batch, BatchOptions, Dataset, HostBatch } from "./dataset.js";
import { prefetchBatches } from "./prefetch.js";
import { checkUint32 } from "./shuffle.js";

/** Options of `augmented`. */
export interface AugmentationOptions {
  /**
   * Zeros added on each side of the height and width before a random crop
   * back to the original size, so an image shifts by up to this many pixels
   * in each direction. Default 0 (no crop).
   */
  readonly cropPadding?: number;
  /** Mirror each image left-right with probability 1/2. Default false. */
  readonly horizontalFlip?: boolean;
}

/** First Philox counter of the augmentation draws. */
const AUGMENT_COUNTER_BASE = 0x80000000;

/**
 * Returns the images of `batch` (samples of shape [C, H, W]) augmented for
 * `seed` and `epoch`, as a new array. The draws of each sample depend on
 * its position in the epoch (`batch.start` + row), not on the batch size.
 */
export function augmentImages(
  batch: HostBatch,
  sampleShape: Shape,
  key: { readonly seed: number; readonly epoch: number },
  options: AugmentationOptions,
): Float32Array {
  const [channels, height, width] = sampleShape as [number, number, number];
  const padding = options.cropPadding ?? 0;
  const flip = options.horizontalFlip ?? false;
  const plane = height * width;
  const features = channels * plane;
  const out = new Float32Array(batch.x.length);
  const block = new Uint32Array(4);
  const random = randomKey(key.seed, key.epoch);

  for (let row = 0; row < batch.count; row++) {
    philoxBlock(AUGMENT_COUNTER_BASE + batch.start + row, random, block);
    const shiftY = Math.floor(wordToUniform(block[0]!) * (2 * padding + 1)) - padding;
    const shiftX = Math.floor(wordToUniform(block[1]!) * (2 * padding + 1)) - padding;
    const mirrored = flip && wordToUniform(block[2]!) < 0.5;

    for (let c = 0; c < channels; c++) {
      const base = row * features + c * plane;
      for (let y = 0; y < height; y++) {
        const sourceY = y + shiftY;
        if (sourceY < 0 || sourceY >= height) continue;
        for (let x = 0; x < width; x++) {
          const sourceX = (mirrored ? width - 1 - x : x) + shiftX;
          if (sourceX < 0 || sourceX >= width) continue;
          out[base + y * width + x] = batch.x[base + sourceY * width + sourceX]!;
        }
      }
    }
  }
  return out;
}

/**
 * A dataset whose batches are augmented: a `BatchSource` for the runner.
 * Samples must have shape [C, H, W]. Evaluation should use the plain
 * dataset, because every batch from here is augmented.
 */
export class AugmentedDataset {
  readonly name: string;
  readonly size: number;
  readonly classes: number;
  readonly sampleShape: Shape;

  constructor(
    readonly dataset: Dataset,
    readonly options: AugmentationOptions,
  ) {
    if (dataset.sampleShape.length !== 3) {
      throw new InvalidArgumentError(
        `augmented: dataset "${dataset.name}" has samples of shape [${dataset.sampleShape.join(", ")}], but ` +
          "crop and flip need images of shape [C, H, W].",
      );
    }
    const padding = options.cropPadding ?? 0;
    if (!Number.isInteger(padding) || padding < 0) {
      throw new InvalidArgumentError(`augmented: cropPadding ${padding} is invalid. It must be a non-negative integer, e.g. 4.`);
    }
    this.name = `${dataset.name} (augmented)`;
    this.size = dataset.size;
    this.classes = dataset.classes;
    this.sampleShape = dataset.sampleShape;
  }

  /** Yields the batches of `Dataset.batches`, augmented for (`seed`, `epoch`) (both default 0). */
  batches(options: BatchOptions): Generator<Batch, void, undefined> {
    const arrays = this.batchArrays(options);
    const shape = this.sampleShape;
    return (function* () {
      for (const { x, y, count } of arrays) yield { x: tensor(x, [count, ...shape]), y: tensor(y, [count]) };
    })();
  }

  /** Yields the batches of `batches(options)`, preparing each next batch while the consumer awaits. */
  prefetchBatches(options: BatchOptions): AsyncGenerator<Batch, void, undefined> {
    return prefetchBatches(this, options);
  }

  /** Yields the augmented batches as host arrays. */
  batchArrays(options: BatchOptions): Generator<HostBatch, void, undefined> {
    const key = { seed: options.seed ?? 0, epoch: options.epoch ?? 0 };
    checkUint32(key.seed, "augmentation seed");
    checkUint32(key.epoch, "augmentation epoch");
    const arrays = this.dataset.batchArrays(options);
    const shape = this.sampleShape;
    const augmentation = this.options;
    return (function* () {
      for (const batch of arrays) yield { ...batch, x: augmentImages(batch, shape, key, augmentation) };
    })();
  }
}

/** Wraps `dataset` so its batches get a seeded random crop and flip (see `AugmentationOptions`). */
export function augmented(dataset: Dataset, options: AugmentationOptions): AugmentedDataset {
  return new AugmentedDataset(dataset, options);
}
