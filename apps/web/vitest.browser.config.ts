import { defineProject } from "vitest/config";

// The end-to-end test runs in Node.js and drives Chromium itself through
// playwright-core, so this project is not in vitest's browser mode. Its
// tests train in the page; their timeouts are set per test.
export default defineProject({
  test: {
    name: "@modular/web (Chromium)",
    // MODULAR_WEB_SWEEP=1 runs the sweep of every scheme instead (`pnpm --filter @modular/web sweep`).
    include: process.env.MODULAR_WEB_SWEEP === "1" ? ["test/**/*.sweep.test.ts"] : ["test/**/*.browser.test.ts"],
    // One Chromium at a time: the files share the 2 cores of CI.
    fileParallelism: false,
  },
});
