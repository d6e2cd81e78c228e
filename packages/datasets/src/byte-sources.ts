/**
 * Loaders of IDX and CIFAR files given as URLs (read with `fetch`) or as
 * `Blob`s, which includes the `File`s a user picks in a page with
 * `<input type="file">`. They need no file system, so both entries export
 * them. gzip is decompressed with `DecompressionStream`.
 */
import { gunzipWithStreams } from "./browser/gunzip.js";
import { type CifarFormat, datasetFromCifar } from "./cifar.js";
import type { DatasetSplit } from "./dataset.js";
import { DatasetNotFoundError } from "./errors.js";
import type { IdxArray } from "./idx.js";
import { datasetFromIdx, decodeIdxWith } from "./idx-dataset.js";

/**
 * Where the bytes of one file come from: a URL (a string or `URL`, fetched
 * with GET) or a `Blob` such as a user-picked `File`. A relative URL string
 * is resolved by `fetch` against the page's URL, so it works in a page but
 * not on Node.js.
 */
export type ByteSource = string | URL | Blob;

/** The bytes of a file and the label that errors name it by: the URL, or the file's name. */
export interface SourceBytes {
  readonly bytes: Uint8Array;
  readonly source: string;
}

/** Returns the label that errors use for `source`: the URL, the `File`'s name, or "Blob of N bytes". */
export function describeByteSource(source: ByteSource): string {
  if (typeof source === "string") return source;
  if (source instanceof URL) return source.href;
  const name = (source as { name?: unknown }).name;
  return typeof name === "string" && name !== "" ? name : `Blob of ${source.size} bytes`;
}

/**
 * Reads all bytes of `source`. Throws `DatasetNotFoundError` naming the URL
 * when the request fails or its response status is not 2xx.
 */
export async function readByteSource(source: ByteSource): Promise<SourceBytes> {
  const label = describeByteSource(source);
  if (source instanceof Blob) return { bytes: new Uint8Array(await source.arrayBuffer()), source: label };

  let response: Response;
  try {
    response = await fetch(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DatasetNotFoundError(`GET ${label} failed: ${reason}. Check the URL and that the server is reachable.`, [label]);
  }
  if (!response.ok) {
    throw new DatasetNotFoundError(
      `GET ${label} returned ${response.status} ${response.statusText}. Check the URL, or pick the file from disk instead.`,
      [label],
    );
  }
  return { bytes: new Uint8Array(await response.arrayBuffer()), source: label };
}

/** Options of `loadIdxSources`: the four files of an MNIST-format dataset. */
export interface IdxSourcesOptions {
  readonly trainImages: ByteSource;
  readonly trainLabels: ByteSource;
  readonly testImages: ByteSource;
  readonly testLabels: ByteSource;
  /** Dataset name. The splits are named `<name>/train` and `<name>/test`. */
  readonly name: string;
  /** Number of classes (default 10). Every label must be in [0, classes). */
  readonly classes?: number;
}

/**
 * Loads an MNIST-format dataset (MNIST, Fashion-MNIST) from four IDX files,
 * raw or gzip-compressed, given as URLs or `Blob`s. Images `[N, rows, cols]`
 * become samples of shape `[1, rows, cols]` with values byte / 255. Throws
 * `DatasetNotFoundError` for a file that cannot be fetched and
 * `DatasetFormatError` for a malformed file or differing counts.
 */
export async function loadIdxSources(options: IdxSourcesOptions): Promise<DatasetSplit> {
  const decode = async (source: ByteSource): Promise<IdxArray> => {
    const { bytes, source: label } = await readByteSource(source);
    return decodeIdxWith(bytes, label, gunzipWithStreams);
  };
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    decode(options.trainImages),
    decode(options.trainLabels),
    decode(options.testImages),
    decode(options.testLabels),
  ]);

  const classes = options.classes ?? 10;
  return {
    train: datasetFromIdx(trainImages, trainLabels, { name: `${options.name}/train`, classes }),
    test: datasetFromIdx(testImages, testLabels, { name: `${options.name}/test`, classes }),
  };
}

/** Options of `loadCifarSources`: the binary batch files of CIFAR-10 or CIFAR-100, in order. */
export interface CifarSourcesOptions extends CifarFormat {
  /** CIFAR-10: `data_batch_1.bin` to `data_batch_5.bin` (or fewer); CIFAR-100: `train.bin`. */
  readonly train: readonly ByteSource[];
  /** CIFAR-10: `test_batch.bin`; CIFAR-100: `test.bin`. */
  readonly test: readonly ByteSource[];
}

/**
 * Loads CIFAR-10 or CIFAR-100 from binary batch files given as URLs or
 * `Blob`s: samples of shape [3, 32, 32] with values in [0, 1]. Throws
 * `DatasetNotFoundError` for a file that cannot be fetched and
 * `DatasetFormatError` for a malformed file.
 */
export async function loadCifarSources(options: CifarSourcesOptions): Promise<DatasetSplit> {
  if (options.train.length === 0 || options.test.length === 0) {
    throw new DatasetNotFoundError(
      `${options.variant}: got ${options.train.length} training and ${options.test.length} test files; ` +
        "pass at least one binary batch file for each split.",
      [],
    );
  }
  const [train, test] = await Promise.all([
    Promise.all(options.train.map(readByteSource)),
    Promise.all(options.test.map(readByteSource)),
  ]);

  const format: CifarFormat = options.variant === "cifar-100" ? { variant: "cifar-100", labels: options.labels ?? "fine" } : { variant: "cifar-10" };
  const suffix = format.variant === "cifar-100" && format.labels === "coarse" ? "-coarse" : "";
  return {
    train: datasetFromCifar(train, format, `${format.variant}${suffix}/train`),
    test: datasetFromCifar(test, format, `${format.variant}${suffix}/test`),
  };
}
