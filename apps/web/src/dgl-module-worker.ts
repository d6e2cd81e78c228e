/** Entry of the Web Worker of one module under asynchronous DGL: the worker script of `@modular/method-proxy`, bundled by Vite. */
import "@modular/method-proxy/dgl-worker-browser";
