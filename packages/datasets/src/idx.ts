/**
 * Reader for the IDX format of the MNIST and Fashion-MNIST files. An IDX
 * file is a 4-byte magic number (two zero bytes, a type code, the number of
 * dimensions), one big-endian uint32 size per dimension, and then the
 * elements in row-major order. Only type code 0x08 (unsigned byte) is
 * accepted because every MNIST-format image and label file uses it.
 *
 * Pure: no `node:` imports, so both entries share it.
 */
import { formatShape } from "@modular/tensor";
import { DatasetFormatError } from "./errors.js";

/** The decoded contents of one IDX file. */
export interface IdxArray {
  /** File path or other label, as passed to `parseIdx`. */
  readonly source: string;
  /** Dimension sizes from the header, e.g. `[60000, 28, 28]`. */
  readonly shape: readonly number[];
  /** The elements, a view into the input bytes (length product(shape)). */
  readonly data: Uint8Array;
  /** Byte offset of the first element in the file, used by error messages. */
  readonly dataOffset: number;
}

const UNSIGNED_BYTE = 0x08;

/** IDX type codes other than 0x08, named in error messages. */
const OTHER_TYPE_CODES: ReadonlyMap<number, string> = new Map([
  [0x09, "signed byte"],
  [0x0b, "16-bit integer"],
  [0x0c, "32-bit integer"],
  [0x0d, "32-bit float"],
  [0x0e, "64-bit float"],
]);

/** Returns true if `bytes` starts with the gzip magic bytes 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses an uncompressed IDX file. `source` names the file in error messages.
 * Throws `DatasetFormatError` for a truncated header, a wrong magic number, a
 * type code other than 0x08, zero dimensions, truncated data or trailing
 * bytes.
 */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  checkMagic(bytes, source);
  const rank = bytes[3]!;
  const shape = readShape(bytes, source, rank);
  const dataOffset = 4 + 4 * rank;
  const dataLength = shape.reduce((product, dim) => product * dim, 1);
  checkDataLength(bytes, source, shape, dataOffset, dataLength);
  return { source, shape, data: bytes.subarray(dataOffset, dataOffset + dataLength), dataOffset };
}

function checkMagic(bytes: Uint8Array, source: string): void {
  if (bytes.length < 4) {
    throw new DatasetFormatError({
      source,
      location: "header (bytes 0-3)",
      expected: "a 4-byte magic number",
      found: `a file of ${bytes.length} bytes`,
    });
  }

  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DatasetFormatError({
      source,
      location: "magic number (bytes 0-3)",
      expected: `0x00 0x00 0x08 followed by the dimension count`,
      found: formatBytes(bytes.subarray(0, 4)),
      hint: isGzip(bytes)
        ? "The file is gzip-compressed; decompress it first, for example with decodeIdx()."
        : undefined,
    });
  }

  const typeCode = bytes[2]!;
  if (typeCode !== UNSIGNED_BYTE) {
    const typeName = OTHER_TYPE_CODES.get(typeCode);
    throw new DatasetFormatError({
      source,
      location: "type code (byte 2)",
      expected: "0x08 (unsigned byte)",
      found: `${formatByte(typeCode)}${typeName === undefined ? " (not an IDX type code)" : ` (${typeName})`}`,
      hint: typeName === undefined ? undefined : "Only unsigned-byte IDX files are supported.",
    });
  }

  if (bytes[3] === 0) {
    throw new DatasetFormatError({
      source,
      location: "dimension count (byte 3)",
      expected: "at least 1",
      found: "0",
    });
  }
}

function readShape(bytes: Uint8Array, source: string, rank: number): number[] {
  const headerEnd = 4 + 4 * rank;
  if (bytes.length < headerEnd) {
    throw new DatasetFormatError({
      source,
      location: `dimension sizes (bytes 4-${headerEnd - 1})`,
      expected: `${rank} big-endian uint32 sizes, ending at byte offset ${headerEnd}`,
      found: `a file of ${bytes.length} bytes`,
    });
  }

  const shape: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    const at = 4 + 4 * axis;
    // Multiplying the top byte keeps the value unsigned, because `<< 24` would make it negative.
    shape.push(bytes[at]! * 0x1000000 + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!));
  }
  return shape;
}

function checkDataLength(
  bytes: Uint8Array,
  source: string,
  shape: readonly number[],
  dataOffset: number,
  dataLength: number,
): void {
  const found = bytes.length - dataOffset;
  if (found < dataLength) {
    throw new DatasetFormatError({
      source,
      location: `data (from byte offset ${dataOffset})`,
      expected: `${dataLength} bytes for shape ${formatShape(shape)}`,
      found: `${found} bytes, so the file is truncated`,
    });
  }
  if (found > dataLength) {
    throw new DatasetFormatError({
      source,
      location: `end of data (byte offset ${dataOffset + dataLength})`,
      expected: `the file to end after ${dataLength} bytes of data for shape ${formatShape(shape)}`,
      found: `${found - dataLength} trailing bytes`,
    });
  }
}

function formatByte(value: number): string {
  return `0x${value.toString(16).padStart(2, "0")}`;
}

function formatBytes(bytes: Uint8Array): string {
  return Array.from(bytes, formatByte).join(" ");
}
