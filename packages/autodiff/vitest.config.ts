import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@modular/autodiff",
    include: ["test/**/*.test.ts"],
  },
});
