import { defineConfig } from "tsup";

// Two entries: `index` for browsers and bundlers, `node` for the `node` export
// condition. tsup leaves `dependencies` (`@modular/tensor`, `mnist`) external,
// so the MNIST JSON files are imported at run time, never inlined.
export default defineConfig({
  entry: { index: "src/index.ts", node: "src/node.ts" },
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  // tsup 8 strips the `node:` prefix by default, but the node entry keeps it.
  removeNodeProtocol: false,
  esbuildOptions(options) {
    // esbuild 0.27.7 drops `{ with: { type: "json" } }` from `import()` for any
    // target it deems without import attributes (es2022, and es2025 too), and
    // browsers and Node.js reject a JSON import without it. Delete this once
    // the target passed above keeps the attribute.
    options.supported = { ...options.supported, "import-attributes": true };
  },
});
