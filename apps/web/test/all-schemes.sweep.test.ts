/// <reference types="node" />
/**
 * Sweep of every scheme in the demo: one epoch per phase of `mlp` on 1,000
 * training digits on `cpu`, each in a fresh page. It checks that every
 * scheme runs to the end in Chromium and prints the accuracy the page
 * shows. It takes about 3 minutes on 2 idle cores, so it is not part of
 * `test:browser`. Run it with `pnpm --filter @modular/web sweep` after a
 * build. MODULAR_WEB_SWEEP_MODEL=cnn sweeps the CNN instead, and
 * MODULAR_WEB_SWEEP_SAMPLES=all trains on every training digit.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromiumLaunchOptions } from "@modular/testing/chromium";
import { serveStatic, type StaticServer } from "@modular/testing/static-server";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { SCHEMES } from "../src/schemes.js";
import { ISOLATION_HEADERS } from "../vite.config.js";

const DIST = fileURLToPath(new URL("../dist/", import.meta.url));
const MODEL = process.env.MODULAR_WEB_SWEEP_MODEL ?? "mlp";
/** One of the page's subset sizes: 1000, 2000, 4000 or all. */
const SAMPLES = process.env.MODULAR_WEB_SWEEP_SAMPLES ?? "1000";
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

test.each(SCHEMES.map((scheme) => scheme.name))(
  "%s runs to the end",
  async (scheme) => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${server.url}/`);
    await page.waitForSelector("#backend option[value=cpu]", { state: "attached" });
    await page.selectOption("#scheme", scheme);
    await page.selectOption("#model", MODEL);
    await page.selectOption("#backend", "cpu");
    await page.selectOption("#samples", SAMPLES);
    await page.setChecked("#compare", false);

    await page.click("#train");
    await page.waitForSelector("body:is([data-status=done], [data-status=failed])", { timeout: RUN_TIMEOUT_MS });
    const status = await page.getAttribute("body", "data-status");
    const statusText = (await page.textContent("#status")) ?? "";
    const row = page.locator(`#results tr[data-scheme="${scheme}"]`);
    const accuracy = status === "done" ? await row.locator("td.accuracy").textContent() : "none";
    console.info(`sweep ${MODEL}, ${SAMPLES} digits: ${scheme}: ${status}, test accuracy ${accuracy} ${status === "done" ? "" : statusText}`);

    expect(status, statusText).toBe("done");
    expect(accuracy).toMatch(/^\d+\.\d\d %$/);
    expect(errors).toEqual([]);
    await page.close();
  },
  RUN_TIMEOUT_MS,
);
