/// <reference types="node" />
/**
 * `@modular/datasets` for Node.js, selected by the `node` export condition:
 * everything of the browser entry, plus loaders that read files from disk:
 * IDX folders (Fashion-MNIST, any MNIST-format folder), CIFAR-10 and
 * CIFAR-100 binary folders, and CSV files. gzip is decompressed with
 * `node:zlib` here and with `DecompressionStream` in the browser entry.
 */
import type { IdxArray } from "./idx.js";
import { decodeIdxWith } from "./idx-dataset.js";
import { gunzipWithZlib } from "./node/gunzip.js";

export * from "./core.js";
export { CIFAR_FILE_NAMES, loadCifar10, loadCifar100 } from "./node/cifar-folder.js";
export { loadCsv } from "./node/csv-file.js";
export { loadMnist } from "./node/mnist.js";
export {
  DEFAULT_FASHION_MNIST_DIR,
  IDX_FILE_NAMES,
  type IdxFolderOptions,
  loadFashionMnist,
  loadIdxDataset,
  readIdxFile,
} from "./node/idx-folder.js";

/**
 * Parses an IDX file given as raw or gzip-compressed bytes (detected by the
 * magic bytes 1f 8b and decompressed with `node:zlib`). Throws
 * `DatasetFormatError` naming `source` for corrupt gzip data or a malformed
 * IDX file.
 */
export function decodeIdx(bytes: Uint8Array, source: string): Promise<IdxArray> {
  return decodeIdxWith(bytes, source, gunzipWithZlib);
}
