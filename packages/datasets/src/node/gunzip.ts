/// <reference types="node" />
/** gzip decompression on Node.js, through `node:zlib`. */
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { DatasetFormatError } from "../errors.js";

const gunzipAsync = promisify(gunzip);

/** Decompresses gzip `bytes`. A corrupt stream throws `DatasetFormatError` naming `source`. */
export async function gunzipWithZlib(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  try {
    return await gunzipAsync(bytes);
  } catch (error) {
    throw new DatasetFormatError({
      source,
      location: "gzip stream",
      expected: "valid gzip data",
      found: `a stream that failed to decompress (${error instanceof Error ? error.message : String(error)})`,
    });
  }
}
