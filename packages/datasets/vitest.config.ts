import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@modular/datasets",
    include: ["test/**/*.test.ts"],
  },
});
