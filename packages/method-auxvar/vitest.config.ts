import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@modular/method-auxvar",
    include: ["test/**/*.test.ts"],
    // Integration tests train on real data; CI runs several projects at once on 2 cores.
    testTimeout: 60_000,
  },
});
