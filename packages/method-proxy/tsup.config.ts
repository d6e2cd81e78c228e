import { defineConfig } from "tsup";

// Entries: `index` serves browsers and bundlers. `node` serves the `node`
// export condition and starts the workers of asynchronous DGL on
// `node:worker_threads`. The two worker scripts are loaded by URL, next to
// these files, by the spawners.
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
