/// <reference types="node" />
/**
 * The `node` entry of `@modular/method-proxy`: everything of the default
 * entry, with module workers started on `node:worker_threads` for
 * asynchronous decoupled greedy learning.
 */
import { Worker } from "node:worker_threads";
import type { FromWorker } from "./async/protocol.js";
import { setWorkerSpawner } from "./async/spawn.js";

setWorkerSpawner(() => {
  const worker = new Worker(new URL("./dgl-worker-node.js", import.meta.url));
  return {
    postMessage: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on("message", (message: FromWorker) => listener(message)),
    onError: (listener) => worker.on("error", listener),
    terminate: () => void worker.terminate(),
  };
});

export * from "./index.js";
