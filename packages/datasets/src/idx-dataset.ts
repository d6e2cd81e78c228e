/**
 * From IDX bytes to a `Dataset`: optional gzip decompression, parsing, and
 * pairing an images file with its labels file. The gzip decoder is passed in
 * because the Node.js and browser entries decompress differently.
 */
import { formatShape } from "@modular/tensor";
import { Dataset } from "./dataset.js";
import { DatasetFormatError } from "./errors.js";
import { type IdxArray, isGzip, parseIdx } from "./idx.js";

/**
 * Decompresses gzip `bytes`. Throws `DatasetFormatError` naming `source` if
 * the stream is corrupt.
 */
export type Gunzip = (bytes: Uint8Array, source: string) => Promise<Uint8Array>;

/** Options of `datasetFromIdx`. */
export interface IdxDatasetOptions {
  /** Name of the resulting `Dataset`, e.g. `"fashion-mnist/train"`. */
  readonly name: string;
  /** Number of classes (default 10). Every label must be in [0, classes). */
  readonly classes?: number;
}

/**
 * Parses IDX `bytes`, decompressing them with `gunzip` first if they start
 * with the gzip magic bytes 1f 8b. Byte offsets in errors about a gzip file
 * refer to the decompressed data, whose source is `"<source> (decompressed)"`.
 */
export async function decodeIdxWith(bytes: Uint8Array, source: string, gunzip: Gunzip): Promise<IdxArray> {
  if (!isGzip(bytes)) return parseIdx(bytes, source);
  const decompressed = await gunzip(bytes, source);
  return parseIdx(decompressed, `${source} (decompressed)`);
}

/**
 * Pairs an IDX images array `[N, ...]` with an IDX labels array `[N]` into a
 * `Dataset`. Pixels are scaled from bytes to [0, 1] by dividing by 255.
 * Images of rank 3 (`[N, rows, cols]`, as in MNIST) get `sampleShape`
 * `[1, rows, cols]`, a single grey channel. Other ranks keep the dimensions
 * after N. Throws `DatasetFormatError` if the labels array is not rank 1,
 * the images array has rank < 2, the counts differ, or a label is outside
 * [0, classes).
 */
export function datasetFromIdx(images: IdxArray, labels: IdxArray, options: IdxDatasetOptions): Dataset {
  const classes = options.classes ?? 10;
  checkRanks(images, labels);

  const count = images.shape[0]!;
  if (labels.shape[0] !== count) {
    throw new DatasetFormatError({
      source: labels.source,
      location: "label count (dimension 0, bytes 4-7)",
      expected: `${count} labels, one per image in ${images.source}`,
      found: `${labels.shape[0]}`,
    });
  }

  const labelValues = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = labels.data[i]!;
    if (label >= classes) {
      throw new DatasetFormatError({
        source: labels.source,
        location: `label ${i} (byte offset ${labels.dataOffset + i})`,
        expected: `a class index in [0, ${classes})`,
        found: `${label}`,
      });
    }
    labelValues[i] = label;
  }

  const rest = images.shape.slice(1);
  const sampleShape = rest.length === 2 ? [1, rest[0]!, rest[1]!] : rest;
  return new Dataset({
    name: options.name,
    images: bytesToUnitInterval(images.data),
    labels: labelValues,
    sampleShape,
    classes,
  });
}

function checkRanks(images: IdxArray, labels: IdxArray): void {
  if (labels.shape.length !== 1) {
    throw new DatasetFormatError({
      source: labels.source,
      location: "dimension count (byte 3)",
      expected: "1 for a labels file (idx1)",
      found: `${labels.shape.length}, shape ${formatShape(labels.shape)}`,
    });
  }
  if (images.shape.length < 2) {
    throw new DatasetFormatError({
      source: images.source,
      location: "dimension count (byte 3)",
      expected: "at least 2 for an images file (idx3 for MNIST)",
      found: `${images.shape.length}, shape ${formatShape(images.shape)}`,
    });
  }
}

/** Maps each byte b to b / 255 through a 256-entry table. */
function bytesToUnitInterval(bytes: Uint8Array): Float32Array {
  const table = new Float32Array(256);
  for (let b = 0; b < 256; b++) table[b] = b / 255;
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]!]!;
  return out;
}
