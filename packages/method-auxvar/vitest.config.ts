import { existsSync } from "node:fs";
import { defineProject } from "vitest/config";

// Dawn needs a Vulkan driver; without a GPU the webgpu tests run on Mesa's lavapipe.
const LAVAPIPE_ICD = "/usr/share/vulkan/icd.d/lvp_icd.json";
if (process.env.VK_ICD_FILENAMES === undefined && existsSync(LAVAPIPE_ICD)) {
  process.env.VK_ICD_FILENAMES = LAVAPIPE_ICD;
}

export default defineProject({
  test: {
    name: "@modular/method-auxvar",
    include: ["test/**/*.test.ts"],
    // Integration tests train on real data; CI runs several projects at once on 2 cores.
    testTimeout: 60_000,
  },
});
