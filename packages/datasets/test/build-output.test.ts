/// <reference types="node" />
/**
 * Checks of the built `dist/` files, which the source tests cannot cover:
 * the browser entry must import no `node:` module, and its MNIST JSON imports
 * must keep `with { type: "json" }` through the bundler. vitest drops that
 * attribute from imports it does not transform and takes about a minute to
 * transform the 8 MB of JSON, so the browser entry runs in a plain Node.js
 * process here. Build first (`npx tsup`; turbo's `test` task depends on `build`).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { importSpecifiers, localImportGraph, requireBuiltEntries } from "@modular/testing/build-output";
import { beforeAll, describe, expect, it } from "vitest";
import { loadMnist } from "../src/node.js";

const DIST = join(dirname(fileURLToPath(import.meta.url)), "..", "dist");

/** Sums from the first element to the last, in the same order as `reduce` in the child process. */
function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}

describe("dist/", () => {
  beforeAll(() => {
    requireBuiltEntries(DIST, ["index.js", "node.js"]);
  });

  it("browser entry imports no node: module", () => {
    const files = localImportGraph(join(DIST, "index.js"));
    const imported = [...files].flatMap((file) => importSpecifiers(readFileSync(file, "utf8")));

    expect(files.has(join(DIST, "node.js"))).toBe(false);
    expect(imported.filter((specifier) => specifier.startsWith("node:"))).toEqual([]);
    expect(imported).toContain("@modular/tensor");
  });

  it("node entry imports node: modules with their prefix", () => {
    const imported = importSpecifiers(readFileSync(join(DIST, "node.js"), "utf8"));

    expect(imported).toContain("node:zlib");
    expect(imported).not.toContain("zlib");
  });

  it("browser entry loads the embedded MNIST natively", async () => {
    // Native ESM rejects a JSON import without `with { type: "json" }`, as browsers do.
    const script = `
      const { loadMnist } = await import(${JSON.stringify(join(DIST, "index.js"))});
      const { train, test } = await loadMnist();
      const sum = (values) => values.reduce((total, value) => total + value, 0);
      console.log(JSON.stringify({
        sizes: [train.size, test.size],
        pixelSums: [sum(train.images), sum(test.images)],
        labelSums: [sum(train.labels), sum(test.labels)],
      }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], {
      maxBuffer: 1 << 20,
    });
    const fromNodeEntry = await loadMnist();

    expect(JSON.parse(stdout)).toEqual({
      sizes: [8004, 1996],
      pixelSums: [sum(fromNodeEntry.train.images), sum(fromNodeEntry.test.images)],
      labelSums: [sum(fromNodeEntry.train.labels), sum(fromNodeEntry.test.labels)],
    });
  }, 60_000);
});
