import { beforeAll, describe, expect, it } from "vitest";
import type { DatasetSplit } from "../src/dataset.js";
import { DatasetNotFoundError } from "../src/errors.js";
import { DEFAULT_FASHION_MNIST_DIR, loadFashionMnist } from "../src/node.js";

// Reads the real files of Debian's `dataset-fashion-mnist` package. Without
// them the load fails with the install command, so these tests fail rather
// than skip.
describe("loadFashionMnist", () => {
  let fashion: DatasetSplit;

  beforeAll(async () => {
    fashion = await loadFashionMnist();
  }, 120_000);

  it("loads 60,000 train and 10,000 test images", () => {
    expect(fashion.train.size).toBe(60_000);
    expect(fashion.test.size).toBe(10_000);
    expect(fashion.train.name).toBe("fashion-mnist/train");
    expect(fashion.test.name).toBe("fashion-mnist/test");
  });

  // Scanning 55 million pixels passed the default 5 s timeout when the webgpu suites shared two cores.
  it("has 28×28 single-channel samples in [0, 1]", { timeout: 60_000 }, () => {
    for (const split of [fashion.train, fashion.test]) {
      expect(split.sampleShape).toEqual([1, 28, 28]);
      let min = Infinity;
      let max = -Infinity;
      for (const value of split.images) {
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
      expect(min).toBe(0);
      expect(max).toBe(1);
    }
  });

  it("has 6,000 train and 1,000 test images per class", () => {
    expect(Array.from(fashion.train.classCounts())).toEqual(new Array(10).fill(6000));
    expect(Array.from(fashion.test.classCounts())).toEqual(new Array(10).fill(1000));
  });

  it("keeps the stored label order", () => {
    // The first ten labels of the published train-labels-idx1-ubyte.
    expect(Array.from(fashion.train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
  });

  it("names the install command when the folder is missing", async () => {
    const dir = `${DEFAULT_FASHION_MNIST_DIR}-missing`;

    const error = await loadFashionMnist({ dir }).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(DatasetNotFoundError);
    expect((error as Error).message).toContain(`${dir}/train-images-idx3-ubyte`);
    expect((error as Error).message).toContain("apt-get install dataset-fashion-mnist");
    expect((error as Error).message).toContain("--data-dir");
  });
});
