/// <reference types="node" />
/**
 * Smoke test of the browser path a user takes. Headless Chromium opens
 * examples/browser/index.html from a static server on 127.0.0.1. The page
 * imports the built browser entries of @modular/tensor, nn, datasets and
 * method-proxy through an import map and trains an MLP with proxy/kernel on
 * the embedded MNIST subset on the webgpu backend (navigator.gpu). A
 * `node:` import anywhere in those entries would fail the page. Build first
 * (`pnpm build`; turbo's `test:browser` task builds the packages it uses).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromiumLaunchOptions } from "@modular/testing/chromium";
import { build } from "esbuild";
import { type Browser, chromium } from "playwright";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { serveStatic, type StaticServer } from "@modular/testing/static-server";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PAGE = "/examples/browser/index.html";

/**
 * On SwiftShader on the 2-core development machine, the page trained for
 * 51 s at a load average of 7 and for 101 s at 15. The limit leaves room for
 * a busier or slower machine.
 */
const TRAINING_TIMEOUT_MS = 360_000;

interface PageSummary {
  readonly backend: string;
  readonly adapter: string;
  readonly steps: number;
  readonly testAccuracy: number;
  readonly seconds: number;
}

/** Returns the import map of the page as specifier → URL path. */
function pageImportMap(): Record<string, string> {
  const html = readFileSync(join(REPO_ROOT, PAGE), "utf8");
  const match = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html);
  if (match === null) throw new Error(`${PAGE} has no <script type="importmap"> element.`);
  return (JSON.parse(match[1]!) as { imports: Record<string, string> }).imports;
}

/** Returns the URL path of the browser entry (the `default` export condition) of every package under packages/. */
function browserEntries(): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const folder of readdirSync(join(REPO_ROOT, "packages"))) {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "packages", folder, "package.json"), "utf8")) as {
      name: string;
      exports: Record<string, { default?: { import: string }; import?: string }>;
    };
    const root = manifest.exports["."]!;
    const target = root.default?.import ?? root.import;
    if (target === undefined) throw new Error(`packages/${folder}/package.json has no default or import target for ".".`);
    entries[manifest.name] = `/packages/${folder}/${target.replace(/^\.\//, "")}`;
  }
  return entries;
}

describe("bundled page script", () => {
  // A bundler resolves every import, dynamic ones too, at build time, so it
  // fails on a `node:` module or a Node.js-only package that the page itself
  // never loads at run time.
  test("bundles for browsers with esbuild", async () => {
    const result = await build({
      entryPoints: [join(REPO_ROOT, "examples/browser/train-mnist.js")],
      bundle: true,
      platform: "browser",
      format: "esm",
      splitting: true,
      outdir: "bundle",
      write: false,
      logLevel: "silent",
    });

    expect(result.errors).toEqual([]);
    expect(result.outputFiles.length).toBeGreaterThan(1);
  });
});

describe("browser page", () => {
  let server: StaticServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await serveStatic(REPO_ROOT);
    browser = await chromium.launch(chromiumLaunchOptions());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test("import map names the browser entries", () => {
    const imports = pageImportMap();
    const packages = Object.fromEntries(Object.entries(imports).filter(([name]) => name.startsWith("@modular/")));

    expect(packages).toEqual(browserEntries());
  });

  test(
    "trains proxy/kernel on webgpu above chance",
    async () => {
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(error.message));

      await page.goto(`${server.url}${PAGE}`);
      await page.waitForSelector("body:not([data-status=running])", { timeout: TRAINING_TIMEOUT_MS });
      const status = await page.getAttribute("body", "data-status");
      const result = (await page.textContent("#result")) ?? "";
      console.info(`browser page log:\n${(await page.textContent("#log")) ?? ""}`);

      expect(status, result).toBe("done");
      const summary = JSON.parse(result) as PageSummary;
      expect(summary.backend).toBe("webgpu");
      expect(summary.steps).toBeGreaterThanOrEqual(200);
      // Chance is 10 %; a broken backend, tape or loss stays near it.
      expect(summary.testAccuracy).toBeGreaterThan(0.8);
      expect(pageErrors).toEqual([]);
      expect(server.failedPaths).toEqual([]);
    },
    TRAINING_TIMEOUT_MS + 30_000,
  );
});
