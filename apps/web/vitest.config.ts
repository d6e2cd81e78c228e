import { defineProject } from "vitest/config";

// Node.js tests of the demo's registries. The Chromium test is in
// vitest.browser.config.ts (the `test:browser` script).
export default defineProject({
  test: {
    name: "@modular/web",
    include: ["test/**/*.test.ts"],
    exclude: ["test/**/*.browser.test.ts", "test/**/*.sweep.test.ts"],
    // Building both models for every scheme took 11 s while CI ran several projects at once on 2 cores.
    testTimeout: 60_000,
  },
});
