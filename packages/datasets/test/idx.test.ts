import { describe, expect, it } from "vitest";
import { DatasetFormatError } from "../src/errors.js";
import { isGzip, parseIdx } from "../src/idx.js";
import { decodeIdx as decodeIdxBrowser } from "../src/index.js";
import { decodeIdx as decodeIdxNode } from "../src/node.js";
import { encodeIdx, gzip } from "./idx-fixtures.js";

const SOURCE = "fixtures/images-idx3-ubyte";

/** Runs `fn`, which must throw a `DatasetFormatError`, and returns the error. */
function catchFormatError(fn: () => unknown): DatasetFormatError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetFormatError);
    return error as DatasetFormatError;
  }
  throw new Error("expected a DatasetFormatError, but nothing was thrown");
}

async function rejectFormatError(promise: Promise<unknown>): Promise<DatasetFormatError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(DatasetFormatError);
  return error as DatasetFormatError;
}

describe("parseIdx", () => {
  it("reads shape, data and data offset", () => {
    const data = Array.from({ length: 12 }, (_, i) => i * 20);
    const parsed = parseIdx(encodeIdx([3, 2, 2], data), SOURCE);

    expect(parsed.source).toBe(SOURCE);
    expect(parsed.shape).toEqual([3, 2, 2]);
    expect(parsed.dataOffset).toBe(16);
    expect(Array.from(parsed.data)).toEqual(data);
  });

  it("reads a labels file of rank 1", () => {
    const parsed = parseIdx(encodeIdx([4], [3, 1, 4, 1]), SOURCE);

    expect(parsed.shape).toEqual([4]);
    expect(parsed.dataOffset).toBe(8);
    expect(Array.from(parsed.data)).toEqual([3, 1, 4, 1]);
  });

  it("reads an empty file of shape [0, 28, 28]", () => {
    const parsed = parseIdx(encodeIdx([0, 28, 28], []), SOURCE);

    expect(parsed.shape).toEqual([0, 28, 28]);
    expect(parsed.data.length).toBe(0);
  });

  const valid = encodeIdx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  const malformed: {
    case: string;
    bytes: Uint8Array;
    location: string;
    expected: string;
    found: string;
  }[] = [
    {
      case: "truncated header",
      bytes: Uint8Array.of(0, 0, 8),
      location: "header (bytes 0-3)",
      expected: "a 4-byte magic number",
      found: "a file of 3 bytes",
    },
    {
      case: "wrong magic number",
      bytes: Uint8Array.of(0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0),
      location: "magic number (bytes 0-3)",
      expected: "0x00 0x00 0x08",
      found: "0x12 0x34 0x08 0x01",
    },
    {
      case: "float32 type code",
      bytes: Uint8Array.of(0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0),
      location: "type code (byte 2)",
      expected: "0x08 (unsigned byte)",
      found: "0x0d (32-bit float)",
    },
    {
      case: "unknown type code",
      bytes: Uint8Array.of(0, 0, 0x42, 1, 0, 0, 0, 0),
      location: "type code (byte 2)",
      expected: "0x08 (unsigned byte)",
      found: "0x42 (not an IDX type code)",
    },
    {
      case: "zero dimensions",
      bytes: Uint8Array.of(0, 0, 8, 0),
      location: "dimension count (byte 3)",
      expected: "at least 1",
      found: "0",
    },
    {
      case: "truncated dimension sizes",
      bytes: valid.subarray(0, 12),
      location: "dimension sizes (bytes 4-15)",
      expected: "3 big-endian uint32 sizes, ending at byte offset 16",
      found: "a file of 12 bytes",
    },
    {
      case: "truncated data",
      bytes: valid.subarray(0, 16 + 5),
      location: "data (from byte offset 16)",
      expected: "8 bytes for shape [2, 2, 2]",
      found: "5 bytes, so the file is truncated",
    },
    {
      case: "size above 2^31 read as unsigned",
      bytes: encodeIdx([0x80000000], []),
      location: "data (from byte offset 8)",
      expected: "2147483648 bytes for shape [2147483648]",
      found: "0 bytes, so the file is truncated",
    },
    {
      case: "trailing bytes",
      bytes: encodeIdx([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
      location: "end of data (byte offset 24)",
      expected: "the file to end after 8 bytes of data for shape [2, 2, 2]",
      found: "2 trailing bytes",
    },
  ];

  it.each(malformed)("rejects $case", ({ bytes, location, expected, found }) => {
    const error = catchFormatError(() => parseIdx(bytes, SOURCE));

    expect(error.source).toBe(SOURCE);
    expect(error.location).toBe(location);
    expect(error.expected).toContain(expected);
    expect(error.found).toBe(found);
    expect(error.message).toContain(`${SOURCE}: ${location}: expected `);
    expect(error.message).toContain(`found ${found}`);
  });

  it("points to decodeIdx for gzip bytes", () => {
    const error = catchFormatError(() => parseIdx(gzip(valid), SOURCE));

    expect(error.location).toBe("magic number (bytes 0-3)");
    expect(error.found).toMatch(/^0x1f 0x8b/);
    expect(error.message).toContain("gzip-compressed");
  });
});

describe("isGzip", () => {
  it.each([
    { case: "gzip bytes", bytes: gzip(Uint8Array.of(1, 2, 3)), expected: true },
    { case: "IDX bytes", bytes: encodeIdx([1], [5]), expected: false },
    { case: "one byte 0x1f", bytes: Uint8Array.of(0x1f), expected: false },
    { case: "no bytes", bytes: new Uint8Array(0), expected: false },
  ])("returns $expected for $case", ({ bytes, expected }) => {
    expect(isGzip(bytes)).toBe(expected);
  });
});

const entries = [
  { entry: "node (node:zlib)", decodeIdx: decodeIdxNode },
  { entry: "browser (DecompressionStream)", decodeIdx: decodeIdxBrowser },
];

describe.each(entries)("decodeIdx, $entry entry", ({ decodeIdx }) => {
  const data = Array.from({ length: 2 * 3 * 4 }, (_, i) => 255 - i);
  const raw = encodeIdx([2, 3, 4], data);

  it("parses raw bytes", async () => {
    const parsed = await decodeIdx(raw, "fixtures/raw");

    expect(parsed.shape).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(data);
  });

  it("decompresses gzip bytes", async () => {
    const parsed = await decodeIdx(gzip(raw), "fixtures/raw.gz");

    expect(parsed.source).toBe("fixtures/raw.gz (decompressed)");
    expect(parsed.shape).toEqual([2, 3, 4]);
    expect(Array.from(parsed.data)).toEqual(data);
  });

  it("names the gzip file in an IDX error", async () => {
    const error = await rejectFormatError(decodeIdx(gzip(raw.subarray(0, 20)), "fixtures/short.gz"));

    expect(error.source).toBe("fixtures/short.gz (decompressed)");
    expect(error.location).toBe("data (from byte offset 16)");
    expect(error.found).toBe("4 bytes, so the file is truncated");
  });

  it("rejects corrupt gzip data", async () => {
    const corrupt = gzip(raw);
    // Bytes 10 onward are the deflate stream, where 0xff bytes are an invalid block type.
    corrupt.fill(0xff, 10, corrupt.length - 8);

    const error = await rejectFormatError(decodeIdx(corrupt, "fixtures/corrupt.gz"));

    expect(error.source).toBe("fixtures/corrupt.gz");
    expect(error.location).toBe("gzip stream");
    expect(error.expected).toBe("valid gzip data");
    expect(error.message).toMatch(/^fixtures\/corrupt\.gz: gzip stream: expected valid gzip data, found /);
  });

  it("rejects truncated gzip data", async () => {
    const compressed = gzip(raw);

    const error = await rejectFormatError(decodeIdx(compressed.subarray(0, compressed.length - 12), "fixtures/cut.gz"));

    expect(error.source).toBe("fixtures/cut.gz");
    expect(error.location).toBe("gzip stream");
  });
});
