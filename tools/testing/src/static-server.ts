/// <reference types="node" />
/**
 * A static file server on 127.0.0.1 for the browser tests: GET and HEAD of
 * files under one root folder, with the content types that module scripts,
 * JSON modules and import maps need. It can add response headers, such as
 * the COOP and COEP headers of cross-origin isolation. It follows
 * symbolic links (pnpm links packages into node_modules) as long as the
 * target stays under the root.
 */
import { readFile, realpath, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, resolve, sep } from "node:path";

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

export interface StaticServer {
  /** Origin of the server, such as `http://127.0.0.1:40123`, without a trailing slash. */
  readonly url: string;
  /** Status and path of each request that got an error status. */
  readonly failedPaths: readonly string[];
  close(): Promise<void>;
}

export interface StaticServerOptions {
  /** Headers added to every successful response, e.g. `Cross-Origin-Opener-Policy`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Starts a server for the files under `root` on a free port of 127.0.0.1. */
export async function serveStatic(root: string, options: StaticServerOptions = {}): Promise<StaticServer> {
  const realRoot = await realpath(root);
  const failedPaths: string[] = [];

  const server = createServer((request, response) => {
    handle(realRoot, options.headers ?? {}, request, response).then(
      (status) => {
        if (status >= 400) failedPaths.push(`${status} ${request.url}`);
      },
      (error: unknown) => {
        failedPaths.push(`500 ${request.url}`);
        response.writeHead(500, { "content-type": "text/plain" }).end(String(error));
      },
    );
  });
  await new Promise<void>((resolveListen) => server.listen(0, "127.0.0.1", resolveListen));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    failedPaths,
    close: () => new Promise<void>((resolveClose) => server.close(() => resolveClose())),
  };
}

/** Serves one request and returns the status code it sent. */
async function handle(
  root: string,
  headers: Readonly<Record<string, string>>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<number> {
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405, { allow: "GET, HEAD" }).end();
    return 405;
  }

  const path = decodeURIComponent(new URL(request.url ?? "/", "http://127.0.0.1").pathname);
  const file = await resolveUnderRoot(root, path.endsWith("/") ? `${path}index.html` : path);
  if (file === undefined) {
    response.writeHead(404, { "content-type": "text/plain" }).end(`${path} was not found`);
    return 404;
  }

  const body = await readFile(file);
  response.writeHead(200, {
    ...headers,
    "content-type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
    "content-length": body.length,
    "cache-control": "no-store",
  });
  response.end(request.method === "HEAD" ? undefined : body);
  return 200;
}

/** Returns the real path of the file `path` names under `root`, or undefined when it is missing or outside. */
async function resolveUnderRoot(root: string, path: string): Promise<string | undefined> {
  let file: string;
  try {
    file = await realpath(resolve(root, `.${path}`));
  } catch {
    return undefined;
  }
  if (file !== root && !file.startsWith(root + sep)) return undefined;

  const info = await stat(file);
  return info.isFile() ? file : undefined;
}
