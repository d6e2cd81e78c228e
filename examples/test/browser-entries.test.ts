/// <reference types="node" />
/**
 * Checks that the browser entry of every package under packages/ (the
 * `default` export condition) bundles for browsers on its own. esbuild with
 * `platform: "browser"` rejects an import of a Node.js builtin, with or
 * without the `node:` prefix. The test also rejects a bundle that pulls in
 * the `webgpu` npm package (Dawn, a Node.js addon) or that still names a
 * `node:` module in its output. The worker script of asynchronous DGL
 * (`dgl-worker-browser.js`) is bundled the same way. Build first
 * (`pnpm build`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type BuildFailure, type Metafile } from "esbuild";
import { describe, expect, test } from "vitest";

const PACKAGES_DIR = fileURLToPath(new URL("../../packages/", import.meta.url));

interface EntryExport {
  readonly node?: { readonly import: string };
  readonly default?: { readonly import: string };
  readonly import?: string;
}

interface BrowserEntry {
  readonly name: string;
  /** Absolute path of the built file. */
  readonly file: string;
}

/** Returns the built browser entry of every package, plus the extra worker scripts a package loads by URL. */
function browserEntries(): BrowserEntry[] {
  const entries: BrowserEntry[] = [];
  for (const folder of readdirSync(PACKAGES_DIR).sort()) {
    const manifest = JSON.parse(readFileSync(join(PACKAGES_DIR, folder, "package.json"), "utf8")) as {
      name: string;
      exports: Record<string, EntryExport>;
    };
    const root = manifest.exports["."]!;
    const target = root.default?.import ?? root.import;
    if (target === undefined) throw new Error(`packages/${folder}/package.json has no default or import target for ".".`);
    entries.push({ name: manifest.name, file: join(PACKAGES_DIR, folder, target) });
  }
  entries.push({
    name: "@modular/method-proxy (dgl-worker-browser)",
    file: join(PACKAGES_DIR, "method-proxy", "dist", "dgl-worker-browser.js"),
  });
  return entries;
}

/** Bundles `file` for browsers and returns the metafile and the output text. */
async function bundleForBrowsers(file: string): Promise<{ metafile: Metafile; output: string }> {
  const result = await build({
    entryPoints: [file],
    bundle: true,
    platform: "browser",
    format: "esm",
    outfile: "bundle.js",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const output = result.outputFiles.map((outputFile) => outputFile.text).join("\n");
  return { metafile: result.metafile, output };
}

/** Returns the error texts of a failed esbuild run. */
function buildErrors(error: unknown): string[] {
  return ((error as BuildFailure).errors ?? []).map((message) => message.text);
}

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

describe.each(browserEntries())("browser entry of $name", ({ file }) => {
  test("bundles with no Node.js builtin", async () => {
    const { metafile, output } = await bundleForBrowsers(file);

    const inputs = Object.keys(metafile.inputs);
    const outputImports = Object.values(metafile.outputs).flatMap((entry) => entry.imports.map((imported) => imported.path));
    expect(inputs.filter((input) => input.includes("node_modules/webgpu/"))).toEqual([]);
    expect(outputImports.filter((path) => NODE_BUILTINS.has(path))).toEqual([]);
    expect(output.match(/["']node:[a-z_/]+["']/g) ?? []).toEqual([]);
  });
});

describe("Node.js entry as a check of the check", () => {
  // Guards against a bundle check that passes whatever the entry imports.
  test("datasets node entry fails to bundle", async () => {
    const nodeEntry = join(PACKAGES_DIR, "datasets", "dist", "node.js");

    const errors = await bundleForBrowsers(nodeEntry).then(
      () => [],
      (error: unknown) => buildErrors(error),
    );

    expect(errors.some((text) => /node:(fs|zlib|path)/.test(text))).toBe(true);
  });
});
