import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@modular/cli",
    include: ["test/**/*.test.ts"],
    // Several tests train a small model on the cpu backend, which takes a few
    // seconds each and more on a loaded machine, so the 5 s default is too short.
    testTimeout: 120_000,
  },
});
