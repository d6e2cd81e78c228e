/// <reference types="node" />
/**
 * End-to-end test of the demo in Debian's Chromium, driven by
 * playwright-core. A static server on 127.0.0.1 serves the built demo
 * (`dist/`, from `pnpm --filter @modular/web build`) with the COOP and COEP
 * headers of cross-origin isolation. The test picks settings in the page,
 * presses Train and reads the test accuracy that the results table shows.
 *
 * Set MODULAR_WEB_SCREENSHOT to a PNG path to save a screenshot of the page
 * after the proxy/kernel and backprop runs (`pnpm --filter @modular/web screenshot`).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseSafetensors } from "@modular/nn";
import { chromiumLaunchOptions } from "@modular/testing/chromium";
import { serveStatic, type StaticServer } from "@modular/testing/static-server";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ISOLATION_HEADERS } from "../vite.config.js";

const DIST = fileURLToPath(new URL("../dist/", import.meta.url));

/** Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST, which `./scripts/setup.sh` installs. */
const FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
const FASHION_MNIST_FILES = [
  "train-images-idx3-ubyte.gz",
  "train-labels-idx1-ubyte.gz",
  "t10k-images-idx3-ubyte.gz",
  "t10k-labels-idx1-ubyte.gz",
].map((name) => join(FASHION_MNIST_DIR, name));

/**
 * An untrained network picks one of 10 classes for most inputs, so it sits
 * near 10 %. Every run below reached more than 80 % on the development
 * machine; 50 % leaves room for a slower or noisier run and is still far
 * out of an untrained network's reach.
 */
const UNTRAINED_BOUND = 0.5;

/**
 * Generous limits for a busy 2-core machine. The runs of each test took
 * about a minute there (see the README of this app for the measured times).
 */
const RUN_TIMEOUT_MS = 300_000;

let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(join(DIST, "index.html"))) {
    throw new Error(`${DIST} has no index.html. Build the demo first: pnpm --filter @modular/web build.`);
  }
  server = await serveStatic(DIST, { headers: ISOLATION_HEADERS });
  browser = await chromium.launch(chromiumLaunchOptions());
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface RunSettings {
  readonly scheme: string;
  readonly model: "mlp" | "cnn";
  readonly backend: "webgpu" | "cpu";
  /** A value of the page's training-subset select: "all", "4000", "2000" or "1000". */
  readonly samples: string;
  readonly compare: boolean;
  /** IDX files to pick in the page instead of the embedded MNIST. */
  readonly idxFiles?: readonly string[];
}

/** Opens the demo, applies `settings`, trains, and waits for the page to finish. Returns the page and its errors. */
async function trainInPage(settings: RunSettings): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });

  await page.goto(`${server.url}/`);
  await page.waitForSelector("#backend option[value=cpu]", { state: "attached" });
  await page.selectOption("#scheme", settings.scheme);
  await page.selectOption("#model", settings.model);
  await page.selectOption("#backend", settings.backend);
  await page.selectOption("#samples", settings.samples);
  if (settings.idxFiles !== undefined) {
    await page.selectOption("#data", "idx");
    await page.setInputFiles("#idx-files", [...settings.idxFiles]);
  }
  await page.fill("#epochs", "1");
  await page.setChecked("#compare", settings.compare);
  await page.click("#train");

  await page.waitForSelector("body:is([data-status=done], [data-status=failed])", { timeout: RUN_TIMEOUT_MS });
  return { page, errors };
}

/** Reads the accuracy the results table shows for `scheme`, e.g. "91.23 %", as a fraction. */
async function shownAccuracy(page: Page, scheme: string): Promise<number> {
  const text = (await page.textContent(`#results tr[data-scheme="${scheme}"] td.accuracy`)) ?? "";
  const match = /^(\d+(?:\.\d+)?) %$/.exec(text.trim());
  if (match === null) throw new Error(`The results row of ${scheme} shows "${text}", not an accuracy such as "91.23 %".`);
  return Number(match[1]) / 100;
}

describe("web demo", () => {
  test(
    "proxy/kernel and backprop train above untrained",
    async () => {
      const { page, errors } = await trainInPage({ scheme: "proxy/kernel", model: "mlp", backend: "cpu", samples: "all", compare: true });
      const status = await page.getAttribute("body", "data-status");
      const statusText = (await page.textContent("#status")) ?? "";

      expect(status, statusText).toBe("done");
      const kernel = await shownAccuracy(page, "proxy/kernel");
      const backprop = await shownAccuracy(page, "backprop");
      console.info(`web demo: proxy/kernel ${(100 * kernel).toFixed(2)} %, backprop ${(100 * backprop).toFixed(2)} %`);
      console.info((await page.textContent("#results tbody")) ?? "");
      expect(kernel).toBeGreaterThan(UNTRAINED_BOUND);
      expect(backprop).toBeGreaterThan(UNTRAINED_BOUND);
      expect(await page.locator(".run").count()).toBe(2);
      // proxy/kernel trains in two phases, hidden module then output layer, each shown with its status and loss chart.
      const kernelPhases = await page.locator('.run[data-scheme="proxy/kernel"] table.phases tbody tr').allTextContents();
      expect(kernelPhases).toHaveLength(2);
      for (const phase of kernelPhases) expect(phase).toMatch(/done in \d+\.\d s/);
      expect(await page.locator('.run[data-scheme="proxy/kernel"] canvas').count()).toBeGreaterThan(0);
      expect(await page.locator("#accuracy-chart canvas").count()).toBeGreaterThan(0);
      expect(errors).toEqual([]);

      const screenshot = process.env.MODULAR_WEB_SCREENSHOT;
      if (screenshot !== undefined && screenshot !== "") await page.screenshot({ path: screenshot, fullPage: true });
      await page.close();
    },
    2 * RUN_TIMEOUT_MS,
  );

  test(
    "backprop trains on webgpu",
    async () => {
      // SwiftShader runs WebGPU on the CPU and is slower than the cpu backend,
      // so this run uses a 2,000-sample subset (32 steps of 64).
      const { page, errors } = await trainInPage({ scheme: "backprop", model: "mlp", backend: "webgpu", samples: "2000", compare: false });
      const statusText = (await page.textContent("#status")) ?? "";

      expect(await page.getAttribute("body", "data-status"), statusText).toBe("done");
      expect(await page.textContent('#results tr[data-scheme="backprop"] td:nth-child(3)')).toMatch(/^webgpu/);
      const accuracy = await shownAccuracy(page, "backprop");
      console.info(`web demo: backprop on webgpu ${(100 * accuracy).toFixed(2)} %`);
      console.info((await page.textContent("#results tbody")) ?? "");
      expect(accuracy).toBeGreaterThan(UNTRAINED_BOUND);
      expect(errors).toEqual([]);
      await page.close();
    },
    RUN_TIMEOUT_MS,
  );

  test(
    "trains on picked Fashion-MNIST files",
    async () => {
      const missing = FASHION_MNIST_FILES.filter((file) => !existsSync(file));
      expect(missing, "install Fashion-MNIST with ./scripts/setup.sh or apt-get install dataset-fashion-mnist").toEqual([]);

      const { page, errors } = await trainInPage({
        scheme: "backprop",
        model: "mlp",
        backend: "cpu",
        samples: "2000",
        compare: false,
        idxFiles: FASHION_MNIST_FILES,
      });
      const statusText = (await page.textContent("#status")) ?? "";

      expect(await page.getAttribute("body", "data-status"), statusText).toBe("done");
      expect(await page.textContent(".run .note")).toContain("picked IDX files: 2,000 training and 10,000 test samples");
      const accuracy = await shownAccuracy(page, "backprop");
      console.info(`web demo: backprop on picked Fashion-MNIST files ${(100 * accuracy).toFixed(2)} %`);
      expect(accuracy).toBeGreaterThan(UNTRAINED_BOUND);
      expect(errors).toEqual([]);
      await page.close();
    },
    RUN_TIMEOUT_MS,
  );

  test(
    "checkpoint download parses as safetensors",
    async () => {
      const { page } = await trainInPage({ scheme: "backprop", model: "mlp", backend: "cpu", samples: "1000", compare: false });
      expect(await page.getAttribute("body", "data-status")).toBe("done");

      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click('#results tr[data-scheme="backprop"] a:text("module-1.safetensors")'),
      ]);
      const path = await download.path();
      const contents = parseSafetensors(new Uint8Array(readFileSync(path)), "module-1.safetensors");
      const shapes = [...contents.tensors.values()].map((tensor) => tensor.shape);

      expect(download.suggestedFilename()).toMatch(/^backprop-run\d+-module-1\.safetensors$/);
      // Module 1 of the split before the output layer contains the 784 → 256 → 128 layers; a weight is [in, out].
      expect(shapes).toContainEqual([784, 256]);
      await page.close();
    },
    RUN_TIMEOUT_MS,
  );

  test(
    "proxy/dgl-async trains in Web Workers",
    async () => {
      const { page, errors } = await trainInPage({ scheme: "proxy/dgl-async", model: "mlp", backend: "cpu", samples: "all", compare: false });
      const statusText = (await page.textContent("#status")) ?? "";

      expect(await page.getAttribute("body", "data-status"), statusText).toBe("done");
      expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
      const accuracy = await shownAccuracy(page, "proxy/dgl-async");
      console.info(`web demo: proxy/dgl-async ${(100 * accuracy).toFixed(2)} %`);
      console.info((await page.textContent("#results tbody")) ?? "");
      console.info((await page.textContent(".run table.phases tbody")) ?? "");
      expect(accuracy).toBeGreaterThan(UNTRAINED_BOUND);
      // The phase row reports the staleness of the inputs the workers read.
      expect(await page.textContent(".run table.phases tbody")).toMatch(/stale/i);
      expect(errors).toEqual([]);
      await page.close();
    },
    RUN_TIMEOUT_MS,
  );
});
