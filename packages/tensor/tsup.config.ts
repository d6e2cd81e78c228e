import { defineConfig } from "tsup";

// Two entries: `index` for browsers and bundlers, and `node` for the `node`
// export condition, which adds Dawn (the `webgpu` package) where
// `navigator.gpu` is missing.
export default defineConfig({
  entry: { index: "src/index.ts", node: "src/node.ts" },
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
});
