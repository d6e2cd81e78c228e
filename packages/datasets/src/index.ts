/**
 * `@modular/datasets` for browsers and bundlers: the `Dataset` class with
 * seeded batching, the IDX reader, and the embedded MNIST subset. The
 * Node.js entry (`node` export condition) adds loaders that read IDX folders
 * such as Fashion-MNIST from disk.
 */
import { gunzipWithStreams } from "./browser/gunzip.js";
import type { IdxArray } from "./idx.js";
import { decodeIdxWith } from "./idx-dataset.js";

export * from "./core.js";
export { loadMnist } from "./browser/mnist.js";

/**
 * Parses an IDX file given as raw or gzip-compressed bytes (detected by the
 * magic bytes 1f 8b and decompressed with `DecompressionStream`). Throws
 * `DatasetFormatError` naming `source` for corrupt gzip data or a malformed
 * IDX file.
 */
export function decodeIdx(bytes: Uint8Array, source: string): Promise<IdxArray> {
  return decodeIdxWith(bytes, source, gunzipWithStreams);
}
