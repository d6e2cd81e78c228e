import { existsSync } from "node:fs";
import { defineProject } from "vitest/config";

// Dawn needs a Vulkan driver; without a GPU the webgpu tests run on Mesa's lavapipe.
const LAVAPIPE_ICD = "/usr/share/vulkan/icd.d/lvp_icd.json";
if (process.env.VK_ICD_FILENAMES === undefined && existsSync(LAVAPIPE_ICD)) {
  process.env.VK_ICD_FILENAMES = LAVAPIPE_ICD;
}

export default defineProject({
  test: {
    name: "@modular/bench",
    include: ["test/**/*.test.ts"],
    // The suite tests run real kernels and training; CI runs several projects at once on 2 cores,
    // and a run of every package's tests took over 60 s per test there at a load average near 50.
    testTimeout: 180_000,
  },
});
