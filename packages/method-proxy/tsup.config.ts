import { defineConfig } from "tsup";

// Entries: `index` for browsers and bundlers; `node` for the `node` export
// condition, which starts the workers of asynchronous DGL on
// `node:worker_threads`; and the two worker scripts, which the spawners load
// by URL next to these files.
export default defineConfig({
  entry: {
    index: "src/index.ts",
    node: "src/node.ts",
    "dgl-worker-node": "src/async/dgl-worker-node.ts",
    "dgl-worker-browser": "src/async/dgl-worker-browser.ts",
  },
  format: ["esm"],
  dts: { entry: { index: "src/index.ts", node: "src/node.ts" } },
  sourcemap: true,
  clean: true,
  target: "es2022",
});
