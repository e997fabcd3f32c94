// Raw node:http2 peers that speak just enough gRPC to misbehave on purpose: a server that answers
// with bad responses and a client that sends bad requests. Loopback only; every wait is bounded.
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";

/** One gRPC length-prefixed message: flag byte, 4-byte big-endian length, bytes. */
export function frame(bytes: Uint8Array, options: { compressed?: boolean } = {}): Buffer {
  const out = Buffer.alloc(5 + bytes.length);
  out.writeUInt8(options.compressed ? 1 : 0, 0);
  out.writeUInt32BE(bytes.length, 1);
  out.set(bytes, 5);
  return out;
}

/** A message cut short: its prefix promises `bytes.length + 10` bytes, only `bytes` follow. */
export function truncatedFrame(bytes: Uint8Array): Buffer {
  const out = frame(bytes);
  out.writeUInt32BE(bytes.length + 10, 1);
  return out;
}

/** What the raw server does with one call once the request stream ended; `body` is the request stream's bytes. */
export type RawResponder = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, body: Buffer) => void;

export interface RawServer {
  port: number;
  /** How many HTTP/2 sessions (client connections) are open now. */
  openSessions(): number;
  close(): Promise<void>;
}

/** An HTTP/2 server on 127.0.0.1 that hands every stream, once its request ended, to `respond`. */
export async function startRawServer(respond: RawResponder): Promise<RawServer> {
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  server.on("stream", (stream, headers) => {
    stream.on("error", () => {});
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => respond(stream, headers, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    openSessions: () => sessions.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Response headers, then `body`, then trailers `trailers` (sent as given: no grpc-status is added). */
export function respondWith(stream: http2.ServerHttp2Stream, body: Buffer[], trailers: http2.OutgoingHttpHeaders): void {
  stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  stream.on("wantTrailers", () => stream.sendTrailers(trailers));
  for (const chunk of body) stream.write(chunk);
  stream.end();
}

/** What a raw client saw of one call. */
export interface RawResult {
  /** grpc-status as received (trailers, or a trailers-only response), undefined if absent. */
  status: string | undefined;
  message: string | undefined;
  /** The response messages' bytes, in order (raw DATA, not deframed). */
  body: Buffer;
  /** The response headers (of a trailers-only response: its only ones), and the trailers. */
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  /** How many pieces the body arrived in ('data' events: one per DATA frame, or fewer). */
  pieces: number;
}

/** The messages of a gRPC request or response stream: each one's compressed flag and bytes as sent. */
export function deframe(body: Buffer): { compressed: boolean; bytes: Buffer }[] {
  const out: { compressed: boolean; bytes: Buffer }[] = [];
  for (let at = 0; at + 5 <= body.length; ) {
    const length = body.readUInt32BE(at + 1);
    out.push({ compressed: body[at] === 1, bytes: body.subarray(at + 5, at + 5 + length) });
    at += 5 + length;
  }
  return out;
}

/**
 * Sends `body` as the request stream of one call to `path` on 127.0.0.1:`port`, then END_STREAM,
 * and collects the response. Rejects after `timeoutMs`.
 */
export async function rawCall(port: number, path: string, body: Buffer[], options: { headers?: http2.OutgoingHttpHeaders; timeoutMs?: number } = {}): Promise<RawResult> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  session.on("error", () => {});
  try {
    return await new Promise<RawResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`raw call to ${path} got no status within ${options.timeoutMs ?? 5000} ms`)), options.timeoutMs ?? 5000);
      const req = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...options.headers });
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let message: string | undefined;
      let headers: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders = {};
      const take = (h: http2.IncomingHttpHeaders) => {
        if (h["grpc-status"] !== undefined) status = String(h["grpc-status"]);
        if (h["grpc-message"] !== undefined) message = decodeURIComponent(String(h["grpc-message"]));
      };
      req.on("response", (h) => {
        headers = h;
        take(h);
      });
      req.on("trailers", (h) => {
        trailers = h;
        take(h);
      });
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("error", () => {});
      req.on("close", () => {
        clearTimeout(timer);
        resolve({ status, message, body: Buffer.concat(chunks), headers, trailers, pieces: chunks.length });
      });
      for (const chunk of body) req.write(chunk);
      req.end();
    });
  } finally {
    session.close();
  }
}
