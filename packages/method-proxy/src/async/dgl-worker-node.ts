/// <reference types="node" />
/** Entry of a module's worker thread on Node.js (see `worker-core.ts`). */
import { parentPort } from "node:worker_threads";
import type { ToWorker } from "./protocol.js";
import { serveWorker } from "./worker-core.js";

if (parentPort === null) throw new Error("dgl-worker-node.js runs only as a worker thread.");
const port = parentPort;
const handle = serveWorker((message) => port.postMessage(message));
port.on("message", (message: ToWorker) => handle(message));
