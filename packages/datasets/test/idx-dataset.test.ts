/// <reference types="node" />
import { mkdir, rm } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DatasetFormatError, DatasetNotFoundError } from "../src/errors.js";
import { parseIdx } from "../src/idx.js";
import { datasetFromIdx } from "../src/idx-dataset.js";
import { IDX_FILE_NAMES, loadIdxDataset } from "../src/node.js";
import { encodeIdx, gzip, imagePixels, makeTempDir, type TempDir } from "./idx-fixtures.js";

const ROWS = 3;
const COLS = 2;

/** Parses images and labels files for `count` samples. Labels default to i mod 10. */
function idxPair(count: number, labels: ArrayLike<number> = Array.from({ length: count }, (_, i) => i % 10)) {
  return {
    images: parseIdx(encodeIdx([count, ROWS, COLS], imagePixels(count, ROWS, COLS)), "fixtures/images"),
    labels: parseIdx(encodeIdx([labels.length], labels), "fixtures/labels"),
  };
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

describe("datasetFromIdx", () => {
  it("scales bytes to [0, 1] and adds a channel dimension", () => {
    const { images, labels } = idxPair(4, [3, 0, 9, 3]);

    const dataset = datasetFromIdx(images, labels, { name: "tiny" });

    expect(dataset.name).toBe("tiny");
    expect(dataset.size).toBe(4);
    expect(dataset.sampleShape).toEqual([1, ROWS, COLS]);
    expect(dataset.classes).toBe(10);
    expect(Array.from(dataset.labels)).toEqual([3, 0, 9, 3]);
    const expectedPixels = Array.from(imagePixels(4, ROWS, COLS), (byte) => Math.fround(byte / 255));
    expect(Array.from(dataset.images)).toEqual(expectedPixels);
  });

  it("keeps the sample dimensions of a rank-2 images file", () => {
    const images = parseIdx(encodeIdx([2, 5], [0, 1, 2, 3, 4, 5, 6, 7, 8, 255]), "fixtures/features");
    const labels = parseIdx(encodeIdx([2], [1, 0]), "fixtures/labels");

    const dataset = datasetFromIdx(images, labels, { name: "features", classes: 2 });

    expect(dataset.sampleShape).toEqual([5]);
    expect(dataset.images[9]).toBe(1);
  });

  it("rejects a label count that differs from the image count", () => {
    const { images } = idxPair(5);
    const { labels } = idxPair(4);

    const error = catchFormatError(() => datasetFromIdx(images, labels, { name: "mismatch" }));

    expect(error.source).toBe("fixtures/labels");
    expect(error.location).toBe("label count (dimension 0, bytes 4-7)");
    expect(error.expected).toBe("5 labels, one per image in fixtures/images");
    expect(error.found).toBe("4");
  });

  it("rejects a label outside [0, classes)", () => {
    const { images, labels } = idxPair(4, [0, 1, 10, 2]);

    const error = catchFormatError(() => datasetFromIdx(images, labels, { name: "bad-label" }));

    expect(error.source).toBe("fixtures/labels");
    expect(error.location).toBe("label 2 (byte offset 10)");
    expect(error.expected).toBe("a class index in [0, 10)");
    expect(error.found).toBe("10");
  });

  it("checks labels against the classes option", () => {
    const { images, labels } = idxPair(3, [0, 1, 2]);

    const error = catchFormatError(() => datasetFromIdx(images, labels, { name: "two-classes", classes: 2 }));

    expect(error.location).toBe("label 2 (byte offset 10)");
    expect(error.expected).toBe("a class index in [0, 2)");
  });

  it("rejects a labels file of rank 3", () => {
    const { images } = idxPair(2);

    const error = catchFormatError(() => datasetFromIdx(images, images, { name: "swapped" }));

    expect(error.source).toBe("fixtures/images");
    expect(error.location).toBe("dimension count (byte 3)");
    expect(error.expected).toBe("1 for a labels file (idx1)");
    expect(error.found).toBe("3, shape [2, 3, 2]");
  });

  it("rejects an images file of rank 1", () => {
    const { labels } = idxPair(2);

    const error = catchFormatError(() => datasetFromIdx(labels, labels, { name: "labels-only" }));

    expect(error.location).toBe("dimension count (byte 3)");
    expect(error.expected).toBe("at least 2 for an images file (idx3 for MNIST)");
  });
});

describe("loadIdxDataset", () => {
  const TRAIN = 7;
  const TEST = 3;
  let folder: TempDir;

  beforeAll(async () => {
    folder = await makeTempDir();
  });

  afterAll(async () => {
    await folder.remove();
  });

  /** Writes the four files under `dir` of `folder`, gzip-compressed when `compress` is set. */
  async function writeFolder(dir: string, compress: boolean, trainLabels?: number[]): Promise<string> {
    const suffix = compress ? ".gz" : "";
    const pack = (bytes: Uint8Array) => (compress ? gzip(bytes) : bytes);
    const labelsOf = (count: number) => Array.from({ length: count }, (_, i) => (i * 3) % 10);
    const files: [string, Uint8Array][] = [
      [IDX_FILE_NAMES.trainImages, encodeIdx([TRAIN, ROWS, COLS], imagePixels(TRAIN, ROWS, COLS))],
      [IDX_FILE_NAMES.trainLabels, encodeIdx([trainLabels?.length ?? TRAIN], trainLabels ?? labelsOf(TRAIN))],
      [IDX_FILE_NAMES.testImages, encodeIdx([TEST, ROWS, COLS], imagePixels(TEST, ROWS, COLS))],
      [IDX_FILE_NAMES.testLabels, encodeIdx([TEST], labelsOf(TEST))],
    ];
    for (const [name, bytes] of files) await folder.write(`${dir}/${name}${suffix}`, pack(bytes));
    return `${folder.path}/${dir}`;
  }

  it.each([
    { format: "raw", compress: false },
    { format: "gzip", compress: true },
  ])("loads a $format folder", async ({ compress }) => {
    const dir = await writeFolder(compress ? "gzip" : "raw", compress);

    const { train, test } = await loadIdxDataset({ dir, name: "digits" });

    expect(train.name).toBe("digits/train");
    expect(test.name).toBe("digits/test");
    expect(train.size).toBe(TRAIN);
    expect(test.size).toBe(TEST);
    expect(train.sampleShape).toEqual([1, ROWS, COLS]);
    expect(Array.from(train.labels)).toEqual([0, 3, 6, 9, 2, 5, 8]);
    expect(train.images[ROWS * COLS]).toBeCloseTo(7 / 255, 6);
  });

  it("names the labels file when counts differ", async () => {
    const dir = await writeFolder("short-labels", true, [1, 2, 3]);

    const error = await loadIdxDataset({ dir, name: "digits" }).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(DatasetFormatError);
    expect((error as DatasetFormatError).source).toBe(`${dir}/${IDX_FILE_NAMES.trainLabels}.gz (decompressed)`);
    expect((error as DatasetFormatError).expected).toContain(`${TRAIN} labels, one per image in ${dir}/`);
    expect((error as DatasetFormatError).found).toBe("3");
  });

  it("prefers the raw file over .gz", async () => {
    const dir = await writeFolder("both", false);
    const gzipLabels = encodeIdx([TRAIN], [1, 1, 1, 1, 1, 1, 1]);
    await folder.write(`both/${IDX_FILE_NAMES.trainLabels}.gz`, gzip(gzipLabels));

    const { train } = await loadIdxDataset({ dir, name: "digits" });

    expect(Array.from(train.labels)).toEqual([0, 3, 6, 9, 2, 5, 8]);
  });

  it("names a missing folder", async () => {
    const dir = `${folder.path}/does-not-exist`;

    const error = await loadIdxDataset({ dir, name: "digits" }).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(DatasetNotFoundError);
    expect((error as DatasetNotFoundError).paths).toEqual([dir]);
    expect((error as Error).message).toContain(`digits: folder not found: ${dir}.`);
  });

  it("lists every missing file", async () => {
    const dir = `${folder.path}/empty`;
    await mkdir(dir);

    const error = await loadIdxDataset({ dir, name: "digits" }).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(DatasetNotFoundError);
    const missing = error as DatasetNotFoundError;
    const rawPaths = Object.values(IDX_FILE_NAMES).map((name) => `${dir}/${name}`);
    expect(missing.paths).toEqual(rawPaths.flatMap((path) => [path, `${path}.gz`]));
    expect(missing.message).toContain(`digits: file not found: ${rawPaths.join(", ")} (also tried with .gz).`);
    expect(missing.message).toContain("as `dir`");
  });

  it("names only the missing file", async () => {
    const dir = await writeFolder("no-test-labels", true);
    await rm(`${dir}/${IDX_FILE_NAMES.testLabels}.gz`);

    const error = await loadIdxDataset({ dir, name: "digits" }).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(DatasetNotFoundError);
    expect((error as DatasetNotFoundError).paths).toEqual([
      `${dir}/${IDX_FILE_NAMES.testLabels}`,
      `${dir}/${IDX_FILE_NAMES.testLabels}.gz`,
    ]);
  });
});
