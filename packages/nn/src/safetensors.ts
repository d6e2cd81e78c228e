/**
 * The safetensors file layout, serialized to and parsed from bytes in pure
 * code: an 8-byte little-endian unsigned header length N, N bytes of UTF-8
 * JSON, then the raw little-endian tensor data. The header maps each tensor
 * name to `{ dtype, shape, data_offsets: [begin, end] }`, with offsets
 * relative to the first data byte, and may hold a `__metadata__` map of
 * strings. Only "F32" and "I32" are read and written, the dtypes of
 * `@modular/tensor`. Format: https://github.com/huggingface/safetensors
 */
import { formatShape } from "@modular/tensor";
import { CheckpointFormatError } from "./checkpoint-errors.js";

/** One tensor's host-side contents: its dtype, shape and elements in row-major order. */
export interface TensorData {
  readonly dtype: "float32" | "int32";
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

/** The contents of a safetensors file. */
export interface SafetensorsContents {
  /** Tensors by name, in header order. */
  readonly tensors: ReadonlyMap<string, TensorData>;
  /** The `__metadata__` strings; empty when the header has none. */
  readonly metadata: Readonly<Record<string, string>>;
}

const FILE_DTYPES = { float32: "F32", int32: "I32" } as const;
const HEADER_LENGTH_BYTES = 8;
const METADATA_KEY = "__metadata__";

/**
 * Serialize `tensors` (in iteration order) and `metadata` to the safetensors
 * layout. The header is padded with spaces to a multiple of 8 bytes, as the
 * reference writer does, so the data starts aligned.
 */
export function serializeSafetensors(
  tensors: ReadonlyMap<string, TensorData>,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  let offset = 0;
  for (const [name, tensor] of tensors) {
    const end = offset + tensor.data.byteLength;
    header[name] = { dtype: FILE_DTYPES[tensor.dtype], shape: [...tensor.shape], data_offsets: [offset, end] };
    offset = end;
  }

  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const spaces = new Uint8Array(padded).fill(0x20);
    spaces.set(json);
    json = spaces;
  }

  const bytes = new Uint8Array(HEADER_LENGTH_BYTES + json.length + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, HEADER_LENGTH_BYTES);
  let at = HEADER_LENGTH_BYTES + json.length;
  for (const tensor of tensors.values()) {
    for (let i = 0; i < tensor.data.length; i++, at += 4) {
      if (tensor.dtype === "float32") view.setFloat32(at, tensor.data[i]!, true);
      else view.setInt32(at, tensor.data[i]!, true);
    }
  }
  return bytes;
}

/**
 * Parse a safetensors file. `source` names the file in errors. Throws
 * `CheckpointFormatError` for a truncated header, a header that is not a
 * JSON object, a dtype other than F32 or I32, or an invalid shape. It also
 * throws for data offsets that are out of range, overlap, or do not match
 * the shape's size, and for bytes that no tensor covers.
 */
export function parseSafetensors(bytes: Uint8Array, source: string): SafetensorsContents {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < HEADER_LENGTH_BYTES) {
    throw new CheckpointFormatError({
      source,
      location: "header length (bytes 0-7)",
      expected: "an 8-byte little-endian header length",
      found: `a file of ${bytes.length} bytes`,
    });
  }
  const headerLength = Number(view.getBigUint64(0, true));
  const dataStart = HEADER_LENGTH_BYTES + headerLength;
  if (dataStart > bytes.length) {
    throw new CheckpointFormatError({
      source,
      location: `header (bytes 8-${dataStart - 1})`,
      expected: `${headerLength} bytes of JSON, as the header length says`,
      found: `${bytes.length - HEADER_LENGTH_BYTES} bytes, so the file is truncated`,
    });
  }

  const header = parseHeader(bytes.subarray(HEADER_LENGTH_BYTES, dataStart), source);
  const metadata = readMetadata(header, source);
  const entries = Object.entries(header).filter(([name]) => name !== METADATA_KEY);
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, TensorData>();
  const ranges: [number, number, string][] = [];
  for (const [name, entry] of entries) {
    const tensor = readTensor(name, entry, view, dataStart, dataLength, source);
    tensors.set(name, tensor.data);
    ranges.push([tensor.begin, tensor.end, name]);
  }
  checkCoverage(ranges, dataLength, source);
  return { tensors, metadata };
}

function parseHeader(json: Uint8Array, source: string): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(json));
  } catch (error) {
    throw new CheckpointFormatError({
      source,
      location: `header (bytes 8-${7 + json.length})`,
      expected: "a UTF-8 JSON object",
      found: `text that does not parse (${(error as Error).message})`,
    });
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new CheckpointFormatError({
      source,
      location: "header",
      expected: "a JSON object that maps tensor names to entries",
      found: Array.isArray(header) ? "an array" : String(header),
    });
  }
  return header as Record<string, unknown>;
}

function readMetadata(header: Record<string, unknown>, source: string): Record<string, string> {
  const metadata = header[METADATA_KEY];
  if (metadata === undefined) return {};
  const valid =
    typeof metadata === "object" && metadata !== null && Object.values(metadata).every((value) => typeof value === "string");
  if (!valid) {
    throw new CheckpointFormatError({
      source,
      location: `header field "${METADATA_KEY}"`,
      expected: "an object of string values",
      found: JSON.stringify(metadata),
    });
  }
  return { ...(metadata as Record<string, string>) };
}

function readTensor(
  name: string,
  entry: unknown,
  view: DataView,
  dataStart: number,
  dataLength: number,
  source: string,
): { data: TensorData; begin: number; end: number } {
  const location = `tensor "${name}"`;
  const fields = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
  const { dtype, shape, data_offsets: offsets } = fields;

  if (dtype !== "F32" && dtype !== "I32") {
    throw new CheckpointFormatError({
      source,
      location: `${location} dtype`,
      expected: `"F32" or "I32"`,
      found: JSON.stringify(dtype) ?? "no dtype",
      hint: "Save the tensor as float32 or int32.",
    });
  }
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isInteger(dim) && dim >= 0)) {
    throw new CheckpointFormatError({
      source,
      location: `${location} shape`,
      expected: "an array of non-negative integers",
      found: JSON.stringify(shape) ?? "no shape",
    });
  }
  const validOffsets =
    Array.isArray(offsets) && offsets.length === 2 && offsets.every((value) => Number.isInteger(value) && value >= 0);
  if (!validOffsets || offsets[0] > offsets[1] || offsets[1] > dataLength) {
    throw new CheckpointFormatError({
      source,
      location: `${location} data_offsets`,
      expected: `[begin, end] with 0 <= begin <= end <= ${dataLength} (the data bytes after the header)`,
      found: JSON.stringify(offsets) ?? "no data_offsets",
    });
  }

  const [begin, end] = offsets as [number, number];
  const count = shape.reduce((product: number, dim: number) => product * dim, 1);
  if (end - begin !== count * 4) {
    throw new CheckpointFormatError({
      source,
      location: `${location} data_offsets`,
      expected: `${count * 4} bytes for ${dtype} shape ${formatShape(shape)}`,
      found: `${end - begin} bytes ([${begin}, ${end}])`,
    });
  }

  const at = dataStart + begin;
  const data = dtype === "F32" ? new Float32Array(count) : new Int32Array(count);
  for (let i = 0; i < count; i++) {
    data[i] = dtype === "F32" ? view.getFloat32(at + 4 * i, true) : view.getInt32(at + 4 * i, true);
  }
  return { data: { dtype: dtype === "F32" ? "float32" : "int32", shape, data }, begin, end };
}

/** The tensors' byte ranges must tile the data without gaps or overlaps, as the format requires. */
function checkCoverage(ranges: [number, number, string][], dataLength: number, source: string): void {
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let expectedStart = 0;
  for (const [begin, end, name] of ranges) {
    if (begin !== expectedStart) {
      throw new CheckpointFormatError({
        source,
        location: `tensor "${name}" data_offsets`,
        expected: `data starting at byte ${expectedStart} of the data section, right after the previous tensor`,
        found: begin < expectedStart ? `[${begin}, ${end}], which overlaps another tensor` : `[${begin}, ${end}], leaving a gap`,
      });
    }
    expectedStart = end;
  }
  if (expectedStart !== dataLength) {
    throw new CheckpointFormatError({
      source,
      location: `end of data (data byte ${expectedStart})`,
      expected: `the tensors to cover all ${dataLength} data bytes`,
      found: `${dataLength - expectedStart} trailing bytes after the last tensor`,
    });
  }
}
