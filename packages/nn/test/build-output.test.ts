/// <reference types="node" />
/**
 * Checks of the built `dist/` files: the default entry, and every chunk it
 * imports, must import no `node:` module, so browsers can load it. Build
 * first (`npx tsup`; turbo's `test` task depends on `build`).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

/** Returns `path` and the files it imports with a relative specifier, transitively. */
function localImportGraph(path: string, seen = new Set<string>()): Set<string> {
  if (seen.has(path)) return seen;
  seen.add(path);
  const source = readFileSync(path, "utf8");
  for (const match of source.matchAll(/(?:from|import)\s*\(?\s*"(\.\/[^"]+)"/g)) {
    localImportGraph(join(dirname(path), match[1]!), seen);
  }
  return seen;
}

describe.runIf(existsSync(join(DIST, "index.js")))("built entries", () => {
  it("default entry imports no node: module", () => {
    const offenders = [...localImportGraph(join(DIST, "index.js"))].filter((file) =>
      /(?:from|import)\s*\(?\s*"node:/.test(readFileSync(file, "utf8")),
    );

    expect(offenders).toEqual([]);
  });

  it("node entry imports node:fs", () => {
    const files = [...localImportGraph(join(DIST, "node.js"))];

    expect(files.some((file) => readFileSync(file, "utf8").includes('"node:fs/promises"'))).toBe(true);
  });
});
