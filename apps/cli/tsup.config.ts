import { defineConfig } from "tsup";

// Two entries: `index` (the programmatic `runCli`) and `bin`, the `modular`
// executable. tsup keeps the `#!/usr/bin/env node` line of `src/bin.ts` and
// marks `dist/bin.js` executable. Dependencies stay external, so the
// `@modular/datasets` import resolves to its Node.js entry at run time.
export default defineConfig({
  entry: { index: "src/index.ts", bin: "src/bin.ts" },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts" } },
  sourcemap: true,
  clean: true,
  target: "es2022",
  platform: "node",
  // tsup 8 strips the `node:` prefix by default; keep it.
  removeNodeProtocol: false,
});
