import { defineProject } from "vitest/config";

// The browser smoke test runs in Node.js and drives Chromium itself, so
// this project is not in vitest's browser mode.
export default defineProject({
  test: {
    name: "@modular/examples",
    include: ["test/**/*.test.ts"],
    // Bundling reads the 21 MB of MNIST JSON, and CI runs several projects at once on 2 cores.
    testTimeout: 60_000,
  },
});
