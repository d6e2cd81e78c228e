import { defineProject } from "vitest/config";

export default defineProject({
  test: {
    name: "@modular/tensor",
    include: ["test/**/*.test.ts"],
  },
});
