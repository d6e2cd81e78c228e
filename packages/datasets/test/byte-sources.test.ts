/// <reference types="node" />
/**
 * IDX and CIFAR files read from URLs (served by a static server on
 * 127.0.0.1) and from `Blob`s and `File`s, through the browser entry.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  DatasetFormatError,
  DatasetNotFoundError,
  describeByteSource,
  loadCifarSources,
  loadIdxSources,
  readByteSource,
} from "../src/index.js";
import { encodeIdx, gzip, imagePixels } from "./idx-fixtures.js";

const FILES: Record<string, Uint8Array> = {
  "/train-images.gz": gzip(encodeIdx([3, 2, 2], imagePixels(3, 2, 2))),
  "/train-labels": encodeIdx([3], [0, 1, 2]),
  "/test-images": encodeIdx([2, 2, 2], imagePixels(2, 2, 2)),
  "/test-labels": encodeIdx([2], [2, 1]),
  "/bad-labels": encodeIdx([3], [0, 1, 12]),
};

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const body = FILES[request.url ?? ""];
    if (body === undefined) response.writeHead(404).end();
    else response.writeHead(200, { "content-type": "application/octet-stream" }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Views `bytes` as a Blob part; the fixtures never use a SharedArrayBuffer. */
function part(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}

/** A CIFAR-10 file of records with the given labels, pixel p of record r = (r + p) mod 256. */
function cifar10Records(labels: readonly number[]): Uint8Array {
  const size = 1 + 3072;
  const bytes = new Uint8Array(labels.length * size);
  labels.forEach((label, record) => {
    bytes[record * size] = label;
    for (let p = 0; p < 3072; p++) bytes[record * size + 1 + p] = (record + p) % 256;
  });
  return bytes;
}

describe("readByteSource", () => {
  test("reads a URL", async () => {
    const read = await readByteSource(`${origin}/train-labels`);

    expect(read.source).toBe(`${origin}/train-labels`);
    expect(Array.from(read.bytes)).toEqual(Array.from(FILES["/train-labels"]!));
  });

  test("reads a File and names it", async () => {
    const file = new File([part(FILES["/test-labels"]!)], "t10k-labels-idx1-ubyte");

    const read = await readByteSource(file);

    expect(read.source).toBe("t10k-labels-idx1-ubyte");
    expect(Array.from(read.bytes)).toEqual(Array.from(FILES["/test-labels"]!));
  });

  test("names an unnamed Blob by its size", () => {
    expect(describeByteSource(new Blob([part(new Uint8Array(5))]))).toBe("Blob of 5 bytes");
  });

  test("rejects a 404 naming the URL", async () => {
    const error = await readByteSource(`${origin}/missing`).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DatasetNotFoundError);
    expect((error as Error).message).toContain(`${origin}/missing returned 404`);
    expect((error as DatasetNotFoundError).paths).toEqual([`${origin}/missing`]);
  });
});

describe("loadIdxSources", () => {
  test("loads URLs and Files, gzip or raw", async () => {
    const split = await loadIdxSources({
      name: "tiny",
      trainImages: `${origin}/train-images.gz`,
      trainLabels: new URL(`${origin}/train-labels`),
      testImages: new File([part(FILES["/test-images"]!)], "t10k-images-idx3-ubyte"),
      testLabels: `${origin}/test-labels`,
      classes: 3,
    });

    expect(split.train.name).toBe("tiny/train");
    expect(split.train.size).toBe(3);
    expect(split.test.size).toBe(2);
    expect(split.train.sampleShape).toEqual([1, 2, 2]);
    expect(Array.from(split.test.labels)).toEqual([2, 1]);
  });

  test("rejects an out-of-range label naming the URL", async () => {
    const error = await loadIdxSources({
      name: "tiny",
      trainImages: `${origin}/train-images.gz`,
      trainLabels: `${origin}/bad-labels`,
      testImages: `${origin}/test-images`,
      testLabels: `${origin}/test-labels`,
      classes: 10,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DatasetFormatError);
    expect((error as DatasetFormatError).source).toBe(`${origin}/bad-labels`);
    expect((error as DatasetFormatError).location).toContain("label 2");
  });
});

describe("loadCifarSources", () => {
  test("loads CIFAR-10 Files", async () => {
    const split = await loadCifarSources({
      variant: "cifar-10",
      train: [new File([part(cifar10Records([3, 9]))], "data_batch_1.bin"), new File([part(cifar10Records([0]))], "data_batch_2.bin")],
      test: [new File([part(cifar10Records([7]))], "test_batch.bin")],
    });

    expect(split.train.name).toBe("cifar-10/train");
    expect(Array.from(split.train.labels)).toEqual([3, 9, 0]);
    expect(split.test.sampleShape).toEqual([3, 32, 32]);
  });

  test("rejects a truncated File naming it", async () => {
    const truncated = cifar10Records([1]).subarray(0, 100);

    const error = await loadCifarSources({
      variant: "cifar-10",
      train: [new File([part(truncated)], "data_batch_1.bin")],
      test: [new File([part(cifar10Records([1]))], "test_batch.bin")],
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DatasetFormatError);
    expect((error as DatasetFormatError).source).toBe("data_batch_1.bin");
  });

  test("rejects an empty list of files", async () => {
    await expect(loadCifarSources({ variant: "cifar-10", train: [], test: [] })).rejects.toThrow(/at least one binary batch file/);
  });
});
