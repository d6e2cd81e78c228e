/**
 * The suite files of vitest.config.ts, run in headless Chromium
 * (`pnpm test:browser`), where the webgpu backend runs on `navigator.gpu`
 * (SwiftShader) instead of Dawn. This config imports the Chromium settings by
 * a relative path because vitest's config bundler leaves workspace packages
 * external, and Node.js cannot load their TypeScript sources.
 */
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";
import { chromiumLaunchOptions } from "../../tools/testing/src/chromium.js";

/** Test files that need Node.js, each with the reason. The Node.js run covers them. */
const NODE_ONLY: Readonly<Record<string, string>> = {
  "test/build-output.test.ts": "reads the built dist/ files with node:fs",
};

export default defineConfig({
  test: {
    name: "@modular/tensor [chromium]",
    include: ["test/**/*.test.ts"],
    exclude: Object.keys(NODE_ONLY),
    testTimeout: 60_000,
    setupFiles: ["test/setup.ts"],
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({ launchOptions: chromiumLaunchOptions() }),
      instances: [{ browser: "chromium" }],
      // A screenshot of a page that only runs tests shows nothing useful.
      screenshotFailures: false,
    },
  },
});
