/// <reference types="node" />
/**
 * Checks of the built `dist/` files. The default entry, and every chunk it
 * imports, must import no `node:` module, so browsers can load it. The
 * bundled TensorFlow.js must reach `util` and `node-fetch` through the
 * shims of tsup.config.ts, because a `require` call throws in an ES module.
 * Build first (`npx tsup`; turbo's `test` task depends on `build`).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { importSpecifiers, localImportGraph, requireBuiltEntries } from "@modular/testing/build-output";
import { beforeAll, describe, expect, it } from "vitest";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

describe("built entries", () => {
  beforeAll(() => {
    requireBuiltEntries(DIST, ["index.js", "node.js"]);
  });

  it("default entry imports no Node.js module", () => {
    const offenders = [...localImportGraph(join(DIST, "index.js"))].filter((file) =>
      importSpecifiers(readFileSync(file, "utf8")).some((specifier) => specifier.startsWith("node:") || specifier === "webgpu"),
    );

    expect(offenders).toEqual([]);
  });

  it("node entry loads the webgpu package", () => {
    expect(importSpecifiers(readFileSync(join(DIST, "node.js"), "utf8"))).toContain("webgpu");
  });

  it("bundle has no require of util or node-fetch", () => {
    const offenders = [...localImportGraph(join(DIST, "index.js"))].filter((file) =>
      /require\("(?:util|node-fetch)"\)/.test(readFileSync(file, "utf8")),
    );

    expect(offenders).toEqual([]);
  });
});
