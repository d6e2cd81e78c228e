/// <reference types="node" />
/**
 * Checks of the built `dist/` files: the default entry, and every chunk it
 * imports, must import no `node:` module, so browsers can load it. Build
 * first (`npx tsup`; turbo's `test` task depends on `build`).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { localImportGraph, requireBuiltEntries } from "@modular/testing/build-output";
import { beforeAll, describe, expect, it } from "vitest";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

describe("built entries", () => {
  beforeAll(() => {
    requireBuiltEntries(DIST, ["index.js", "node.js"]);
  });

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
