import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@modular/nn",
    include: ["test/**/*.test.ts"],
  },
});
