import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@modular/cli",
    include: ["test/**/*.test.ts"],
  },
});
