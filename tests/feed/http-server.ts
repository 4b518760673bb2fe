/**
 * A real HTTP server on 127.0.0.1 (ephemeral port) with scripted routes, for the feed's fault tests:
 * status codes, stalls, bodies dribbled a byte at a time, redirects. Every behaviour stops by itself
 * (dribbles are bounded, stalls end when the client hangs up or the server closes).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Worker } from "node:worker_threads";

/** Answers one request. */
export type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** Starts a server; routes are keyed by path (`/feed/index.json`), unknown paths answer 404. */
export async function startHttp(routes: Record<string, Route> = {}) {
  const table = new Map(Object.entries(routes));
  const hits = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = table.get(path);
    if (route) route(req, res);
    else res.writeHead(404).end("not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    /** The feed directory URL. */
    feedUrl: `${url}/feed/`,
    route(path: string, r: Route) {
      table.set(path, r);
    },
    hits: (path: string) => hits.get(path) ?? 0,
    /** Registers a timer so close() clears it. */
    track(t: NodeJS.Timeout) {
      timers.add(t);
      return t;
    },
    untrack(t: NodeJS.Timeout) {
      clearInterval(t);
      timers.delete(t);
    },
    async close() {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A started server. */
export type TestHttp = Awaited<ReturnType<typeof startHttp>>;

/** 200 with these bytes. */
export const bytes =
  (body: Uint8Array | string, type = "application/octet-stream"): Route =>
  (_req, res) =>
    res.writeHead(200, { "content-type": type }).end(body);

/** 200 with this JSON. */
export const json = (value: unknown): Route => bytes(JSON.stringify(value), "application/json");

/** Always this status. */
export const status =
  (code: number): Route =>
  (_req, res) =>
    res.writeHead(code).end(`status ${code}`);

/** A redirect to `location`. */
export const redirect =
  (location: string, code = 302): Route =>
  (_req, res) =>
    res.writeHead(code, { location }).end();

/**
 * 200 with the whole body's Content-Length, then only its first `sent` bytes before the connection is
 * cut (a proxy or edge that drops the transfer).
 */
export const cut =
  (body: Uint8Array, sent: number): Route =>
  (_req, res) => {
    res.writeHead(200, { "content-type": "application/zip", "content-length": String(body.length) });
    res.write(body.subarray(0, sent), () => res.socket?.destroy());
  };

/** Accepts the request and never answers (until the client hangs up or the server closes). */
export const stall = (): Route => () => undefined;

/**
 * 200 with headers at once, then the body one byte every `everyMs`, at most `maxBytes` bytes of
 * `body` (then the response ends), stopping when the client hangs up.
 */
export function dribble(http: TestHttp, body: Uint8Array, everyMs: number, maxBytes = body.length): Route {
  return (req, res) => {
    res.writeHead(200, { "content-type": "application/zip" });
    res.flushHeaders();
    let sent = 0;
    const t = http.track(
      setInterval(() => {
        if (sent >= Math.min(maxBytes, body.length)) {
          http.untrack(t);
          res.end();
          return;
        }
        res.write(body.subarray(sent, sent + 1));
        sent++;
      }, everyMs),
    );
    req.socket.once("close", () => http.untrack(t));
  };
}

/**
 * A port on 127.0.0.1 where TCP connections hang: a listener with backlog 1 in a worker thread whose
 * event loop is blocked (so nothing is accepted) for `holdMs`, its accept queue filled by two idle
 * connections. A connect to it neither succeeds nor fails until the hold ends.
 */
export async function unacceptingPort(holdMs: number) {
  const code = `
    const net = require("node:net");
    const { parentPort } = require("node:worker_threads");
    const server = net.createServer();
    server.listen({ port: 0, host: "127.0.0.1", backlog: 1 }, () => {
      parentPort.postMessage(server.address().port);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${holdMs});
      server.close();
    });`;
  const worker = new Worker(code, { eval: true });
  const port = await new Promise<number>((resolve) => worker.once("message", resolve));
  const { connect } = await import("node:net");
  const fillers = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<import("node:net").Socket>((resolve) => {
          const s = connect(port, "127.0.0.1");
          s.on("error", () => undefined);
          s.once("connect", () => resolve(s));
        }),
    ),
  );
  return {
    port,
    async close() {
      for (const s of fillers) s.destroy();
      await worker.terminate();
    },
  };
}
