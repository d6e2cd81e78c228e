/// <reference types="node" />
/**
 * Checks of the built `dist/` files: the default entry, and every chunk it
 * imports, must import neither a `node:` module nor the `webgpu` package
 * (Dawn, which loads a native addon), so that browsers and bundlers can load
 * it. Build first (`npx tsup`; turbo's `test` task depends on `build`).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { importSpecifiers, localImportGraph, requireBuiltEntries } from "@modular/testing/build-output";
import { beforeAll, describe, expect, it } from "vitest";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

/** Return the bare (non-relative) specifiers imported anywhere in the graph of `entry`. */
function packageImports(entry: string): string[] {
  const specifiers = [...localImportGraph(join(DIST, entry))].flatMap((file) => importSpecifiers(readFileSync(file, "utf8")));
  return [...new Set(specifiers.filter((specifier) => !specifier.startsWith("./")))];
}

describe("built entries", () => {
  beforeAll(() => {
    requireBuiltEntries(DIST, ["index.js", "node.js"]);
  });

  it("default entry imports neither webgpu nor node:", () => {
    const offenders = packageImports("index.js").filter((specifier) => specifier === "webgpu" || specifier.startsWith("node:"));

    expect(offenders).toEqual([]);
  });

  it("node entry imports the webgpu package", () => {
    expect(packageImports("node.js")).toContain("webgpu");
  });

  it("default entry without navigator.gpu names the fix", async () => {
    const browserEntry = (await import(join(DIST, "index.js"))) as typeof import("../src/index.js");
    browserEntry.registerWebGpu();

    await expect(browserEntry.setBackend("webgpu")).rejects.toThrow(/navigator\.gpu is missing.*`node` export condition/);
  });
});
