/// <reference types="node" />
/** Builders of small IDX files in the real format, and a temporary folder for them. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";

/** Encodes an unsigned-byte IDX file: 0x00 0x00 0x08, the rank, big-endian sizes, then `data`. */
export function encodeIdx(shape: readonly number[], data: ArrayLike<number>): Uint8Array {
  const header = 4 + 4 * shape.length;
  const bytes = new Uint8Array(header + data.length);
  const view = new DataView(bytes.buffer);
  bytes[2] = 0x08;
  bytes[3] = shape.length;
  shape.forEach((dim, axis) => view.setUint32(4 + 4 * axis, dim, false));
  bytes.set(Array.from(data), header);
  return bytes;
}

/** `count` images of `rows` × `cols` where pixel p of image i is (i * 7 + p) mod 256. */
export function imagePixels(count: number, rows: number, cols: number): Uint8Array {
  const pixels = new Uint8Array(count * rows * cols);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < rows * cols; p++) pixels[i * rows * cols + p] = (i * 7 + p) % 256;
  }
  return pixels;
}

export function gzip(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes));
}

/** A folder under the OS temp folder. `write` creates parent folders and returns the file path. */
export interface TempDir {
  readonly path: string;
  write(name: string, bytes: Uint8Array): Promise<string>;
  remove(): Promise<void>;
}

export async function makeTempDir(): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), "modular-datasets-"));
  return {
    path,
    async write(name, bytes) {
      const file = join(path, name);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, bytes);
      return file;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}
