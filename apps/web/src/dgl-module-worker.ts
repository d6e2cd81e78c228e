/**
 * Entry of the Web Worker of one module under asynchronous DGL: the worker
 * script of `@modular/method-proxy`, bundled by Vite. It posts
 * `MODULE_WORKER_READY` once loaded, so the training worker can wait for
 * every module worker before it starts training.
 */
import "@modular/method-proxy/dgl-worker-browser";
import { MODULE_WORKER_READY } from "./protocol.js";

(globalThis as unknown as { postMessage(message: unknown): void }).postMessage(MODULE_WORKER_READY);
