/** CIFAR-10 and CIFAR-100 binary files, written by the tests in the real record layout. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { DatasetFormatError, DatasetNotFoundError, loadCifar10, loadCifar100, parseCifar } from "../src/node.js";

const PIXELS = 3072;

/** Build records of `labelBytes` label bytes each, then pixel p = (record + p) mod 256. */
function records(labels: readonly (readonly number[])[]): Uint8Array {
  const size = labels[0]!.length + PIXELS;
  const bytes = new Uint8Array(labels.length * size);
  labels.forEach((recordLabels, record) => {
    bytes.set(recordLabels, record * size);
    for (let p = 0; p < PIXELS; p++) bytes[record * size + recordLabels.length + p] = (record + p) % 256;
  });
  return bytes;
}

function formatError(run: () => unknown): DatasetFormatError {
  try {
    run();
  } catch (error) {
    if (error instanceof DatasetFormatError) return error;
    throw error;
  }
  throw new Error("the reader accepted a malformed file");
}

describe("parseCifar", () => {
  test("reads CIFAR-10 labels and pixels in [0, 1]", () => {
    const parsed = parseCifar([{ bytes: records([[3], [9]]), source: "a.bin" }], { variant: "cifar-10" });

    expect(Array.from(parsed.labels)).toEqual([3, 9]);
    expect(parsed.classes).toBe(10);
    expect(parsed.images.length).toBe(2 * PIXELS);
    // Pixel 0 of record 1 is byte 1; red channel first, then green from pixel 1024.
    expect(parsed.images[PIXELS]).toBeCloseTo(1 / 255, 7);
    expect(parsed.images[1024]).toBeCloseTo(1024 % 256 / 255, 7);
    expect(parsed.images[PIXELS - 1]).toBeCloseTo(3071 % 256 / 255, 7);
  });

  test("concatenates files in order", () => {
    const parsed = parseCifar(
      [
        { bytes: records([[1]]), source: "a.bin" },
        { bytes: records([[2], [0]]), source: "b.bin" },
      ],
      { variant: "cifar-10" },
    );

    expect(Array.from(parsed.labels)).toEqual([1, 2, 0]);
  });

  test.each<["fine" | "coarse" | undefined, number[], number]>([
    [undefined, [57, 99], 100],
    ["fine", [57, 99], 100],
    ["coarse", [4, 19], 20],
  ])("reads CIFAR-100 labels (%s)", (labels, expected, classes) => {
    const bytes = records([
      [4, 57],
      [19, 99],
    ]);
    const parsed = parseCifar([{ bytes, source: "train.bin" }], { variant: "cifar-100", ...(labels ? { labels } : {}) });

    expect(Array.from(parsed.labels)).toEqual(expected);
    expect(parsed.classes).toBe(classes);
    expect(parsed.images[0]).toBe(0);
  });

  test("names a truncated record", () => {
    const bytes = records([[1], [2]]).subarray(0, 3073 + 100);
    const error = formatError(() => parseCifar([{ bytes, source: "data_batch_1.bin" }], { variant: "cifar-10" }));

    expect(error.source).toBe("data_batch_1.bin");
    expect(error.location).toBe("record 1 (byte offset 3073)");
    expect(error.expected).toBe("a cifar-10 record of 3073 bytes");
    expect(error.found).toBe("100 bytes, so the file is truncated");
  });

  test("names a CIFAR-10 label out of range", () => {
    const error = formatError(() => parseCifar([{ bytes: records([[0], [10]]), source: "test_batch.bin" }], { variant: "cifar-10" }));

    expect(error.location).toBe("label of record 1 (byte offset 3073)");
    expect(error.expected).toBe("a class index from 0 to 9");
    expect(error.found).toBe("10");
  });

  test.each([
    [[20, 0], "coarse label of record 0 (byte offset 0)", "20"],
    [[0, 100], "fine label of record 0 (byte offset 1)", "100"],
  ])("names a CIFAR-100 label out of range %j", (labels, location, found) => {
    const error = formatError(() => parseCifar([{ bytes: records([labels]), source: "test.bin" }], { variant: "cifar-100", labels: "coarse" }));

    expect(error.location).toBe(location);
    expect(error.found).toBe(found);
  });

  test("rejects an empty file", () => {
    const error = formatError(() => parseCifar([{ bytes: new Uint8Array(0), source: "x.bin" }], { variant: "cifar-10" }));

    expect(error.found).toBe("an empty file");
  });
});

describe("CIFAR folders", () => {
  const folders: string[] = [];
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  async function folderWith(files: Record<string, Uint8Array>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "modular-cifar-"));
    folders.push(dir);
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
    return dir;
  }

  test("loadCifar10 reads five training batches and the test batch", async () => {
    const files: Record<string, Uint8Array> = { "test_batch.bin": records([[7]]) };
    for (let i = 1; i <= 5; i++) files[`data_batch_${i}.bin`] = records([[i], [0]]);
    const { train, test: testSet } = await loadCifar10({ dir: await folderWith(files) });

    expect(train.size).toBe(10);
    expect(Array.from(train.labels)).toEqual([1, 0, 2, 0, 3, 0, 4, 0, 5, 0]);
    expect(train.sampleShape).toEqual([3, 32, 32]);
    expect(train.name).toBe("cifar-10/train");
    expect(Array.from(testSet.labels)).toEqual([7]);
  });

  test("loadCifar100 reads coarse labels on request", async () => {
    const dir = await folderWith({ "train.bin": records([[3, 42]]), "test.bin": records([[5, 11]]) });
    const fine = await loadCifar100({ dir });
    const coarse = await loadCifar100({ dir, labels: "coarse" });

    expect(Array.from(fine.train.labels)).toEqual([42]);
    expect(fine.train.classes).toBe(100);
    expect(Array.from(coarse.test.labels)).toEqual([5]);
    expect(coarse.test.classes).toBe(20);
  });

  test("lists every missing file", async () => {
    const dir = await folderWith({ "data_batch_1.bin": records([[1]]) });
    const error = await loadCifar10({ dir }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DatasetNotFoundError);
    expect((error as DatasetNotFoundError).paths.map((path) => path.slice(dir.length + 1))).toEqual([
      "data_batch_2.bin",
      "data_batch_3.bin",
      "data_batch_4.bin",
      "data_batch_5.bin",
      "test_batch.bin",
    ]);
  });

  test("errors name the file path", async () => {
    const dir = await folderWith({ "train.bin": records([[3, 42]]).subarray(0, 10), "test.bin": records([[5, 11]]) });

    await expect(loadCifar100({ dir })).rejects.toThrow(`${join(dir, "train.bin")}: record 0 (byte offset 0)`);
  });
});
