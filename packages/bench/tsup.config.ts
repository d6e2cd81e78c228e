import { copyFile, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
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
 *
 * The Emscripten loaders of `@tensorflow/tfjs-backend-wasm` call
 * `require("fs")` and `require("path")` to read the `.wasm` file in
 * Node.js, so those resolve to modules that re-export `node:fs` and
 * `node:path`. Only the peers suite of the node entry imports the wasm
 * backend, so these `node:` imports never reach the default entry
 * (test/build-output.test.ts checks that). The loaders also read
 * `__dirname`, which an ES module lacks. It only serves as the default
 * folder of the `.wasm` files, and the peers suite always sets that folder
 * with `setWasmPaths`, so the loaders get an empty `__dirname`.
 */
const tfjsRequireShims: Plugin = {
  name: "tfjs-require-shims",
  setup(build) {
    build.onResolve({ filter: /^(util|node-fetch|fs|path)$/ }, (args) => ({ path: args.path, namespace: "tfjs-require-shim" }));
    build.onLoad({ filter: /tfjs-backend-wasm[\\/]wasm-out[\\/][^\\/]+\.js$/ }, async (args) => ({
      loader: "js",
      contents: `var __dirname = "";\n${await readFile(args.path, "utf8")}`,
    }));
    build.onLoad({ filter: /.*/, namespace: "tfjs-require-shim" }, (args) => ({
      loader: "js",
      contents:
        args.path === "fs" || args.path === "path"
          ? `export * from "node:${args.path}";`
          : args.path === "util"
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

/**
 * The `.wasm` files of `@tensorflow/tfjs-backend-wasm` that Node.js loads:
 * SIMD, and plain where SIMD is missing. The threaded build is left out,
 * because TensorFlow.js 4.22.0 never uses threads in Node.js.
 */
const WASM_FILES = ["tfjs-backend-wasm.wasm", "tfjs-backend-wasm-simd.wasm"];
const wasmPackageDir = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/package.json"));

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
  // The wasm backend of the peers suite loads its binaries from the folder of the bundle.
  async onSuccess() {
    for (const file of WASM_FILES) await copyFile(join(wasmPackageDir, "dist", file), join("dist", file));
  },
});
