/// <reference types="node" />
/**
 * Loaders for the folders of the CIFAR-10 and CIFAR-100 binary versions:
 * `data_batch_1.bin` to `data_batch_5.bin` and `test_batch.bin` for
 * CIFAR-10, `train.bin` and `test.bin` for CIFAR-100.
 */
import { access, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type CifarFormat, datasetFromCifar } from "../cifar.js";
import type { DatasetSplit } from "../dataset.js";
import { DatasetNotFoundError } from "../errors.js";

/** File names of the binary CIFAR folders. */
export const CIFAR_FILE_NAMES = Object.freeze({
  "cifar-10": {
    train: ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"],
    test: ["test_batch.bin"],
  },
  "cifar-100": { train: ["train.bin"], test: ["test.bin"] },
});

/**
 * Loads CIFAR-10 from `dir` (the `cifar-10-batches-bin` folder): 50,000
 * training and 10,000 test images of shape [3, 32, 32], values in [0, 1],
 * 10 classes. Throws `DatasetNotFoundError` listing every missing file and
 * `DatasetFormatError` for a malformed file.
 */
export function loadCifar10(options: { readonly dir: string }): Promise<DatasetSplit> {
  return loadCifarFolder(options.dir, { variant: "cifar-10" });
}

/**
 * Loads CIFAR-100 from `dir` (the `cifar-100-binary` folder): 50,000
 * training and 10,000 test images of shape [3, 32, 32], values in [0, 1],
 * with the 100 fine labels by default or the 20 coarse ones with
 * `labels: "coarse"`. Throws like `loadCifar10`.
 */
export function loadCifar100(options: { readonly dir: string; readonly labels?: "fine" | "coarse" }): Promise<DatasetSplit> {
  return loadCifarFolder(options.dir, { variant: "cifar-100", labels: options.labels ?? "fine" });
}

async function loadCifarFolder(dir: string, format: CifarFormat): Promise<DatasetSplit> {
  const names = CIFAR_FILE_NAMES[format.variant];
  const paths = { train: names.train.map((name) => join(dir, name)), test: names.test.map((name) => join(dir, name)) };
  const all = [...paths.train, ...paths.test];
  const missing: string[] = [];
  for (const path of all) {
    await access(path).catch(() => missing.push(path));
  }
  if (missing.length > 0) {
    throw new DatasetNotFoundError(
      `${format.variant}: missing ${missing.join(", ")}. Pass the folder of the binary version ` +
        `(${format.variant === "cifar-10" ? "cifar-10-batches-bin" : "cifar-100-binary"}) as \`dir\`.`,
      missing,
    );
  }

  const read = (list: string[]) =>
    Promise.all(list.map(async (path) => ({ bytes: new Uint8Array(await readFile(path)), source: path })));
  const suffix = format.variant === "cifar-100" && format.labels === "coarse" ? "-coarse" : "";
  return {
    train: datasetFromCifar(await read(paths.train), format, `${format.variant}${suffix}/train`),
    test: datasetFromCifar(await read(paths.test), format, `${format.variant}${suffix}/test`),
  };
}
