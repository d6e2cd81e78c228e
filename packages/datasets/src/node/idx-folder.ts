/// <reference types="node" />
/**
 * Loaders for folders of the four standard MNIST-format IDX files, raw or
 * gzip-compressed, such as the Fashion-MNIST files that Debian's
 * `dataset-fashion-mnist` package installs.
 */
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { DatasetSplit } from "../dataset.js";
import { DatasetNotFoundError } from "../errors.js";
import type { IdxArray } from "../idx.js";
import { datasetFromIdx, decodeIdxWith } from "../idx-dataset.js";
import { gunzipWithZlib } from "./gunzip.js";

/** Folder where Debian's `dataset-fashion-mnist` package installs the Fashion-MNIST files. */
export const DEFAULT_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** File names of an MNIST-format folder, without the optional `.gz` suffix. */
export const IDX_FILE_NAMES = Object.freeze({
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
});

/** Options of `loadIdxDataset`. */
export interface IdxFolderOptions {
  /** Folder that contains the four IDX files. */
  readonly dir: string;
  /** Dataset name. The splits are named `<name>/train` and `<name>/test`. */
  readonly name: string;
  /** Number of classes (default 10). Every label must be in [0, classes). */
  readonly classes?: number;
}

/**
 * Parses an IDX file from disk, raw or gzip-compressed (detected by the magic
 * bytes 1f 8b and decompressed with `node:zlib`). Throws `DatasetFormatError`
 * naming `path` for corrupt gzip data or a malformed IDX file.
 */
export async function readIdxFile(path: string): Promise<IdxArray> {
  return decodeIdxWith(await readFile(path), path, gunzipWithZlib);
}

/**
 * Loads an MNIST-format folder: `train-images-idx3-ubyte`,
 * `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte` and
 * `t10k-labels-idx1-ubyte`, each tried first under that name and then with
 * `.gz` appended. Images `[N, rows, cols]` become samples of shape
 * `[1, rows, cols]` with values byte / 255. Throws `DatasetNotFoundError`
 * that lists every missing file, and `DatasetFormatError` if a file is
 * malformed or the image and label counts differ.
 */
export function loadIdxDataset(options: IdxFolderOptions): Promise<DatasetSplit> {
  const hint = "Pass the folder that contains the MNIST-format files as `dir`.";
  return loadIdxFolder(options, hint);
}

/**
 * Loads Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017, MIT licence): 60,000
 * training and 10,000 test images of clothing, shape `[1, 28, 28]`, values
 * in [0, 1], 10 classes. `dir` defaults to `/usr/share/datasets/fashion-mnist`.
 * Throws `DatasetNotFoundError` with the install command if a file is missing.
 */
export function loadFashionMnist(options: { readonly dir?: string } = {}): Promise<DatasetSplit> {
  const hint =
    "Install the files with `apt-get install dataset-fashion-mnist`, or pass the folder that contains them " +
    "(the `dir` option, or --data-dir in the modular CLI).";
  return loadIdxFolder({ dir: options.dir ?? DEFAULT_FASHION_MNIST_DIR, name: "fashion-mnist", classes: 10 }, hint);
}

async function loadIdxFolder(options: IdxFolderOptions, missingHint: string): Promise<DatasetSplit> {
  const paths = await locateIdxFiles(options, missingHint);
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    readIdxFile(paths.trainImages),
    readIdxFile(paths.trainLabels),
    readIdxFile(paths.testImages),
    readIdxFile(paths.testLabels),
  ]);

  const classes = options.classes ?? 10;
  return {
    train: datasetFromIdx(trainImages, trainLabels, { name: `${options.name}/train`, classes }),
    test: datasetFromIdx(testImages, testLabels, { name: `${options.name}/test`, classes }),
  };
}

type IdxFileRole = keyof typeof IDX_FILE_NAMES;

/**
 * Returns the path of each of the four files, the raw name if it exists and
 * otherwise the `.gz` name. Throws one `DatasetNotFoundError` that lists
 * every missing file.
 */
async function locateIdxFiles(options: IdxFolderOptions, missingHint: string): Promise<Record<IdxFileRole, string>> {
  if (!(await isDirectory(options.dir))) {
    throw new DatasetNotFoundError(`${options.name}: folder not found: ${options.dir}. ${missingHint}`, [options.dir]);
  }

  const roles = Object.keys(IDX_FILE_NAMES) as IdxFileRole[];
  const found = {} as Record<IdxFileRole, string>;
  const missing: string[] = [];

  for (const role of roles) {
    const raw = join(options.dir, IDX_FILE_NAMES[role]);
    const path = await firstExistingFile([raw, `${raw}.gz`]);
    if (path === undefined) missing.push(raw);
    else found[role] = path;
  }

  if (missing.length > 0) {
    throw new DatasetNotFoundError(
      `${options.name}: file not found: ${missing.join(", ")} (also tried with .gz). ${missingHint}`,
      missing.flatMap((raw) => [raw, `${raw}.gz`]),
    );
  }
  return found;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch (error) {
    if (error instanceof Error && (error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

async function firstExistingFile(candidates: readonly string[]): Promise<string | undefined> {
  for (const candidate of candidates) {
    try {
      if ((await stat(candidate)).isFile()) return candidate;
    } catch (error) {
      if (!(error instanceof Error && (error as NodeJS.ErrnoException).code === "ENOENT")) throw error;
    }
  }
  return undefined;
}
