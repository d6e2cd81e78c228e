/**
 * Start of a module's worker. Browsers (and any runtime with a global
 * `Worker`) get a module Web Worker by default. The package's `node` entry
 * registers a `node:worker_threads` spawner instead, so this file stays free
 * of Node.js imports.
 */
import { ConfigError } from "@modular/nn";
import type { FromWorker, ToWorker } from "./protocol.js";

/** A started worker, as the asynchronous phase uses it. */
export interface WorkerHandle {
  postMessage(message: ToWorker): void;
  onMessage(listener: (message: FromWorker) => void): void;
  /** Called when the worker fails outside its own error handling, e.g. a script that does not load. */
  onError(listener: (error: Error) => void): void;
  terminate(): void;
}

export type WorkerSpawner = () => WorkerHandle;

let spawner: WorkerSpawner | undefined;

/** Set how workers start; the `node` entry of this package calls this on import. */
export function setWorkerSpawner(next: WorkerSpawner): void {
  spawner = next;
}

/** Start a module worker with the registered spawner, or a module Web Worker. */
export function spawnWorker(): WorkerHandle {
  if (spawner !== undefined) return spawner();
  const WebWorker = (globalThis as { Worker?: new (url: URL, options: { type: "module" }) => WebWorkerLike }).Worker;
  if (WebWorker === undefined) {
    throw new ConfigError(
      "Asynchronous decoupled greedy learning needs worker threads, but this runtime has no global Worker. " +
        "On Node.js, import @modular/method-proxy through its package name so that its `node` entry loads.",
    );
  }
  const worker = new WebWorker(new URL("./dgl-worker-browser.js", import.meta.url), { type: "module" });
  return {
    postMessage: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.addEventListener("message", (event) => listener((event as { data: FromWorker }).data)),
    onError: (listener) =>
      worker.addEventListener("error", (event) => listener(new Error((event as { message?: string }).message ?? "worker error"))),
    terminate: () => worker.terminate(),
  };
}

interface WebWorkerLike {
  postMessage(message: unknown): void;
  addEventListener(type: "message" | "error", listener: (event: unknown) => void): void;
  terminate(): void;
}
