import { defineConfig, type Options } from "tsup";

type Plugin = NonNullable<Options["esbuildPlugins"]>[number];

/**
 * TensorFlow.js 4.22.0 is bundled from its ES module sources, because its
 * Node.js bundles cannot train: `tf-core.node.js` registers no gradients, and
 * `register_all_gradients.js` exists only as an ES module whose imports have
 * no file extensions, which Node.js cannot load. Bundling puts tfjs-core, its
 * gradients and both backends in chunks that share one engine and load only
 * when a `tfjs-*` target runs.
 *
 * tfjs-core's Node.js platform calls `require("util")` for `TextEncoder`,
 * `TextDecoder` and `types`, and `require("node-fetch")` for `fetch`. In an
 * ES module bundle those calls would throw, so this plugin resolves both to
 * small modules built from the standard globals of Node.js 20 and browsers.
 * The `require("crypto")` of seedrandom stays: it sits in a try block and
 * serves only unseeded random numbers, and the suite always passes a seed.
 */
const tfjsRequireShims: Plugin = {
  name: "tfjs-require-shims",
  setup(build) {
    build.onResolve({ filter: /^(util|node-fetch)$/ }, (args) => ({ path: args.path, namespace: "tfjs-require-shim" }));
    build.onLoad({ filter: /.*/, namespace: "tfjs-require-shim" }, (args) => ({
      loader: "js",
      contents:
        args.path === "util"
          ? `module.exports = {
  TextEncoder: globalThis.TextEncoder,
  TextDecoder: globalThis.TextDecoder,
  types: {
    isFloat32Array: (value) => value instanceof Float32Array,
    isInt32Array: (value) => value instanceof Int32Array,
    isUint8Array: (value) => value instanceof Uint8Array,
    isUint8ClampedArray: (value) => value instanceof Uint8ClampedArray,
  },
};`
          : "module.exports = globalThis.fetch;",
    }));
  },
};

// Two entries: `index` for browsers and bundlers, `node` for the `node` export
// condition, which adds Dawn's `navigator.gpu`, machine details and writing
// docs/benchmarks.md.
export default defineConfig({
  entry: { index: "src/index.ts", node: "src/node.ts" },
  format: ["esm"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "es2022",
  noExternal: [/^@tensorflow\//],
  esbuildPlugins: [tfjsRequireShims],
  esbuildOptions(options) {
    // Resolve TensorFlow.js through its `module` field (ES modules), not its Node.js `main` bundle.
    options.mainFields = ["module", "main"];
  },
  // tsup 8 strips the `node:` prefix by default, but the node entry keeps it.
  removeNodeProtocol: false,
});
