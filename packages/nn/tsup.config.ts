import { defineConfig } from "tsup";

// Two entries: `index` for browsers and bundlers, `node` for the `node` export
// condition, which adds checkpoint files on disk.
export default defineConfig({
  entry: { index: "src/index.ts", node: "src/node.ts" },
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  // tsup 8 strips the `node:` prefix by default, but the node entry keeps it.
  removeNodeProtocol: false,
});
