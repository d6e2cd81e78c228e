import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@modular/method-proxy",
    include: ["test/**/*.test.ts"],
  },
});
