import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@modular/testing",
    include: ["test/**/*.test.ts"],
  },
});
