/** gzip decompression for browsers, through the standard `DecompressionStream`. */
import { DatasetFormatError } from "../errors.js";

/** Decompresses gzip `bytes`. A corrupt stream throws `DatasetFormatError` naming `source`. */
export async function gunzipWithStreams(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  // Blob accepts only views of an ArrayBuffer, so a view of a SharedArrayBuffer is copied.
  const input = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  try {
    const stream = new Blob([input]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new DatasetFormatError({
      source,
      location: "gzip stream",
      expected: "valid gzip data",
      found: `a stream that failed to decompress (${error instanceof Error ? error.message : String(error)})`,
    });
  }
}
