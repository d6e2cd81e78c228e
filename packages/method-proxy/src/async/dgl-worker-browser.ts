/** Entry of a module's Web Worker in browsers (see `worker-core.ts`). */
import type { ToWorker } from "./protocol.js";
import { serveWorker } from "./worker-core.js";

const scope = globalThis as unknown as {
  postMessage(message: unknown): void;
  addEventListener(type: "message", listener: (event: { data: ToWorker }) => void): void;
};
const handle = serveWorker((message) => scope.postMessage(message));
scope.addEventListener("message", (event) => handle(event.data));
