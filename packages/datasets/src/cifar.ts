/**
 * Reader for the binary versions of CIFAR-10 and CIFAR-100 (Krizhevsky,
 * "Learning multiple layers of features from tiny images", 2009). A file is
 * a sequence of fixed-size records with no header. A CIFAR-10 record is 1
 * label byte (0-9) and 3072 pixel bytes. A CIFAR-100 record is 1 coarse
 * label byte (0-19), 1 fine label byte (0-99) and 3072 pixel bytes. The
 * pixels are 1024 red, 1024 green and 1024 blue values of a 32 × 32 image in
 * row-major order, so a record is already a [3, 32, 32] sample.
 *
 * Pure: no `node:` imports, so both entries share it.
 */
import { Dataset } from "./dataset.js";
import { DatasetFormatError } from "./errors.js";

/** Shape of one CIFAR sample: channels (RGB), height, width. */
export const CIFAR_SAMPLE_SHAPE = Object.freeze([3, 32, 32]) as readonly number[];

const PIXELS = 3 * 32 * 32;

/** The CIFAR file format, and for CIFAR-100 the label to keep. */
export interface CifarFormat {
  readonly variant: "cifar-10" | "cifar-100";
  /** CIFAR-100 only: the 100 "fine" classes (default) or the 20 "coarse" superclasses. */
  readonly labels?: "fine" | "coarse";
}

/** The decoded records of CIFAR files: N × 3072 pixel values in [0, 1] and N labels. */
export interface CifarRecords {
  readonly images: Float32Array;
  readonly labels: Int32Array;
  /** 10, 20 or 100, depending on the variant and the label choice. */
  readonly classes: number;
}

interface LabelLayout {
  /** Label bytes before the pixels of each record. */
  readonly labelBytes: number;
  /** Index of the chosen label within those bytes. */
  readonly labelIndex: number;
  readonly classes: number;
  readonly labelName: string;
}

function layoutOf(format: CifarFormat): LabelLayout {
  if (format.variant === "cifar-10") return { labelBytes: 1, labelIndex: 0, classes: 10, labelName: "label" };
  if ((format.labels ?? "fine") === "coarse") {
    return { labelBytes: 2, labelIndex: 0, classes: 20, labelName: "coarse label" };
  }
  return { labelBytes: 2, labelIndex: 1, classes: 100, labelName: "fine label" };
}

/** Number of classes of `format`: 10 for CIFAR-10, 100 (fine) or 20 (coarse) for CIFAR-100. */
export function cifarClasses(format: CifarFormat): number {
  return layoutOf(format).classes;
}

/**
 * Parses CIFAR binary files, given as (bytes, source) pairs, in order, into
 * one array of images scaled to [0, 1] (byte / 255) and one of labels.
 * Throws `DatasetFormatError` naming the file and byte offset for an empty
 * file, a truncated last record, or a label out of range. Both labels of a
 * CIFAR-100 record are checked, whichever is kept.
 */
export function parseCifar(files: readonly { bytes: Uint8Array; source: string }[], format: CifarFormat): CifarRecords {
  const layout = layoutOf(format);
  const recordSize = layout.labelBytes + PIXELS;
  const counts = files.map(({ bytes, source }) => checkRecordCount(bytes, source, recordSize, format.variant));
  const total = counts.reduce((acc, count) => acc + count, 0);

  const images = new Float32Array(total * PIXELS);
  const labels = new Int32Array(total);
  let row = 0;
  files.forEach(({ bytes, source }, fileIndex) => {
    for (let record = 0; record < counts[fileIndex]!; record++, row++) {
      const offset = record * recordSize;
      checkLabels(bytes, source, offset, record, format);
      labels[row] = bytes[offset + layout.labelIndex]!;
      const pixels = bytes.subarray(offset + layout.labelBytes, offset + recordSize);
      for (let i = 0; i < PIXELS; i++) images[row * PIXELS + i] = pixels[i]! / 255;
    }
  });
  return { images, labels, classes: layout.classes };
}

/** Parses CIFAR binary files into a `Dataset` named `name` with samples of shape [3, 32, 32]. */
export function datasetFromCifar(
  files: readonly { bytes: Uint8Array; source: string }[],
  format: CifarFormat,
  name: string,
): Dataset {
  const { images, labels, classes } = parseCifar(files, format);
  return new Dataset({ name, images, labels, sampleShape: CIFAR_SAMPLE_SHAPE, classes });
}

function checkRecordCount(bytes: Uint8Array, source: string, recordSize: number, variant: string): number {
  if (bytes.length === 0) {
    throw new DatasetFormatError({
      source,
      location: "byte offset 0",
      expected: `at least one ${variant} record of ${recordSize} bytes`,
      found: "an empty file",
    });
  }
  const complete = Math.floor(bytes.length / recordSize);
  const rest = bytes.length - complete * recordSize;
  if (rest !== 0) {
    throw new DatasetFormatError({
      source,
      location: `record ${complete} (byte offset ${complete * recordSize})`,
      expected: `a ${variant} record of ${recordSize} bytes`,
      found: `${rest} bytes, so the file is truncated`,
      hint: `A ${variant} file is a whole number of records; check that the file was copied completely and that it is a ${variant} file.`,
    });
  }
  return complete;
}

function checkLabels(bytes: Uint8Array, source: string, offset: number, record: number, format: CifarFormat): void {
  const checks =
    format.variant === "cifar-10"
      ? [{ at: 0, name: "label", classes: 10 }]
      : [
          { at: 0, name: "coarse label", classes: 20 },
          { at: 1, name: "fine label", classes: 100 },
        ];
  for (const { at, name, classes } of checks) {
    const value = bytes[offset + at]!;
    if (value >= classes) {
      throw new DatasetFormatError({
        source,
        location: `${name} of record ${record} (byte offset ${offset + at})`,
        expected: `a class index from 0 to ${classes - 1}`,
        found: `${value}`,
        hint: format.variant === "cifar-10" ? "Check that the file is a CIFAR-10 file, not CIFAR-100." : undefined,
      });
    }
  }
}
