/** The safetensors layout: round trips, the byte layout itself, and malformed files. */
import { describe, expect, test } from "vitest";
import { CheckpointFormatError, parseSafetensors, serializeSafetensors, type TensorData } from "../src/index.js";

const TENSORS = new Map<string, TensorData>([
  ["weight", { dtype: "float32", shape: [2, 3], data: Float32Array.from([1, -2, 3.5, 0, 1e-7, -0]) }],
  ["steps", { dtype: "int32", shape: [], data: Int32Array.from([-42]) }],
  ["empty", { dtype: "float32", shape: [0, 4], data: new Float32Array(0) }],
]);

/** Build a file with the given header (JSON text) and data bytes, with the length prefix computed. */
function fileWith(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(header);
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.length);
  return bytes;
}

function parseError(bytes: Uint8Array): CheckpointFormatError {
  try {
    parseSafetensors(bytes, "fixture.safetensors");
  } catch (error) {
    if (error instanceof CheckpointFormatError) return error;
    throw error;
  }
  throw new Error("parseSafetensors accepted a malformed file");
}

describe("safetensors", () => {
  test("round trip keeps names, dtypes, shapes, bits and metadata", () => {
    const bytes = serializeSafetensors(TENSORS, { module: "1/2" });
    const parsed = parseSafetensors(bytes, "memory");

    expect([...parsed.tensors.keys()]).toEqual(["weight", "steps", "empty"]);
    for (const [name, expected] of TENSORS) {
      const found = parsed.tensors.get(name)!;
      expect(found.dtype).toBe(expected.dtype);
      expect(found.shape).toEqual(expected.shape);
      expect(new Uint32Array(found.data.buffer)).toEqual(new Uint32Array(expected.data.buffer));
    }
    expect(parsed.metadata).toEqual({ module: "1/2" });
  });

  test("writes the documented byte layout", () => {
    const bytes = serializeSafetensors(new Map([["x", { dtype: "float32", shape: [1], data: Float32Array.from([1]) }]]));
    const view = new DataView(bytes.buffer);
    const headerLength = Number(view.getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));

    expect(headerLength % 8).toBe(0);
    expect(header).toEqual({ x: { dtype: "F32", shape: [1], data_offsets: [0, 4] } });
    expect(view.getFloat32(8 + headerLength, true)).toBe(1);
    expect(bytes.length).toBe(8 + headerLength + 4);
  });

  test("reads a file written by hand", () => {
    const data = new Uint8Array(8);
    new DataView(data.buffer).setInt32(0, 7, true);
    new DataView(data.buffer).setInt32(4, -1, true);
    const parsed = parseSafetensors(fileWith(`{"b":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}`, data), "hand");

    expect(Array.from(parsed.tensors.get("b")!.data)).toEqual([7, -1]);
    expect(parsed.metadata).toEqual({});
  });

  test.each<[string, () => Uint8Array, RegExp]>([
    ["file shorter than the length prefix", () => new Uint8Array(5), /header length \(bytes 0-7\).*a file of 5 bytes/],
    ["header cut short", () => fileWith("{}").subarray(0, 9), /truncated/],
    ["header not JSON", () => fileWith("{not json"), /expected a UTF-8 JSON object/],
    ["header an array", () => fileWith("[1]"), /found an array/],
    ["unknown dtype", () => fileWith(`{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`, new Uint8Array(2)), /tensor "a" dtype: expected "F32" or "I32", found "F16"/],
    ["negative dimension", () => fileWith(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, new Uint8Array(4)), /tensor "a" shape/],
    ["offsets past the end", () => fileWith(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, new Uint8Array(4)), /data_offsets: expected \[begin, end\] with 0 <= begin <= end <= 4/],
    ["size not matching the shape", () => fileWith(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, new Uint8Array(8)), /expected 12 bytes for F32 shape \[3\], found 8 bytes/],
    ["overlapping tensors", () => fileWith(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, new Uint8Array(4)), /overlaps another tensor/],
    ["trailing bytes", () => fileWith(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, new Uint8Array(6)), /2 trailing bytes/],
    ["metadata not strings", () => fileWith(`{"__metadata__":{"epoch":3}}`), /"__metadata__": expected an object of string values/],
  ])("rejects %s", (_name, build, message) => {
    const error = parseError(build());

    expect(error.source).toBe("fixture.safetensors");
    expect(error.message).toMatch(message);
  });
});
