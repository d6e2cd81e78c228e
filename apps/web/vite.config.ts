import { defineConfig } from "vite";

/**
 * Cross-origin isolation, which `SharedArrayBuffer` needs: proxy/dgl-async
 * shares its buffers between Web Workers. A static host must send the same
 * two headers for that scheme to run.
 */
export const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
} as const;

export default defineConfig({
  // Relative asset URLs, so the built folder works under any path.
  base: "./",
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  worker: { format: "es" },
  build: {
    target: "es2022",
    // The ten embedded MNIST digit files are about 2 MB of JSON each.
    chunkSizeWarningLimit: 4096,
  },
});
