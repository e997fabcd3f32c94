// The server side of gRPC's negative HTTP/2 interop cases (doc/negative-http2-interop-test-descriptions.md
// in grpc/grpc), on hand-written frames: what each case sends, and what it asserts about the client.
import { SimpleRequest, SimpleResponse, PayloadType } from "../../gen/grpc/testing/messages.js";
import { LARGE_RESPONSE_SIZE } from "../spec.js";
import type { ClientStream, Connection, ConnectionBehaviour } from "./connection.js";
import { DEFAULT_WINDOW, ERROR, SETTING } from "./frames.js";
import { OK_TRAILERS, RESPONSE_HEADERS, frameMessage, messagesIn } from "./grpc-wire.js";

export const NEGATIVE_CASE_NAMES = [
  "goaway",
  "rst_after_header",
  "rst_during_data",
  "rst_after_data",
  "ping",
  "max_streams",
  "data_frame_padding",
  "no_df_padding_sanity_test",
] as const;
export type NegativeCaseName = (typeof NEGATIVE_CASE_NAMES)[number];

/** The reset cases: the client's call must fail. */
export const RESET_CASES: readonly NegativeCaseName[] = ["rst_after_header", "rst_during_data", "rst_after_data"];

/** What one case does on every connection, and what it checks once the client is gone. */
export interface NegativeCase {
  readonly behaviour: ConnectionBehaviour;
  /** The server's assertions over every connection so far: a list of what went wrong. */
  failures(connections: readonly Connection[]): string[];
}

/** The UnaryCall response a request asks for (response_size zero bytes), framed. */
function responseTo(request: Buffer | undefined): Buffer {
  const size = request ? SimpleRequest.decode(request).responseSize : LARGE_RESPONSE_SIZE;
  return frameMessage(SimpleResponse.encode({ payload: { type: PayloadType.COMPRESSABLE, body: Buffer.alloc(size) }, username: "", oauthScope: "", serverId: "", hostname: "" }).finish());
}

/** Calls `answer` once per stream, when its whole request is in. */
function onWholeRequest(answer: (conn: Connection, stream: ClientStream, response: Buffer) => Promise<void>): NonNullable<ConnectionBehaviour["onRequestData"]> {
  return (conn, stream) => {
    if (!stream.halfClosed || stream.closed) return;
    void answer(conn, stream, responseTo(messagesIn(Buffer.concat(stream.received))[0]));
  };
}

/**
 * A server that answers without reading the request and never grants stream window: it waits until
 * the client has filled the stream's initial window (or sent everything), then answers. A request larger than
 * the window is left queued in the client, the state node:http2 mishandles on RST_STREAM.
 */
function answeringEarly(answer: (conn: Connection, stream: ClientStream) => Promise<void>): ConnectionBehaviour {
  const answered = new Set<ClientStream>();
  return {
    grantStreamWindow: false,
    onRequestData(conn, stream) {
      if (answered.has(stream) || stream.closed || (!stream.halfClosed && stream.receivedBytes < DEFAULT_WINDOW)) return;
      answered.add(stream);
      void answer(conn, stream);
    },
  };
}

async function respond(conn: Connection, stream: ClientStream, response: Buffer, data: { frameData?: number; padding?: number } = {}): Promise<void> {
  conn.sendHeaders(stream, RESPONSE_HEADERS);
  if (await conn.sendData(stream, response, data)) conn.sendHeaders(stream, OK_TRAILERS, true);
}

const noChecks = (): string[] => [];

export function negativeCase(name: NegativeCaseName): NegativeCase {
  switch (name) {
    case "rst_after_header":
      return {
        behaviour: answeringEarly(async (conn, stream) => {
          conn.sendHeaders(stream, RESPONSE_HEADERS);
          conn.resetStream(stream, ERROR.NO_ERROR);
        }),
        failures: noChecks,
      };
    case "rst_during_data":
      return {
        behaviour: answeringEarly(async (conn, stream) => {
          const response = responseTo(undefined);
          conn.sendHeaders(stream, RESPONSE_HEADERS);
          if (await conn.sendData(stream, response.subarray(0, response.length >> 1))) conn.resetStream(stream, ERROR.NO_ERROR);
        }),
        failures: noChecks,
      };
    case "rst_after_data":
      return {
        behaviour: answeringEarly(async (conn, stream) => {
          conn.sendHeaders(stream, RESPONSE_HEADERS);
          if (await conn.sendData(stream, responseTo(undefined))) conn.resetStream(stream, ERROR.NO_ERROR);
        }),
        failures: noChecks,
      };
    case "goaway":
      return goawayCase();
    case "ping":
      return pingCase();
    case "max_streams":
      return {
        behaviour: { settings: [[SETTING.MAX_CONCURRENT_STREAMS, 1]], grantStreamWindow: true, onRequestData: onWholeRequest((conn, stream, response) => respond(conn, stream, response)) },
        failures: (connections) =>
          connections.filter((c) => c.maxOpenAfterSettings > 1).map((c) => `${c.maxOpenAfterSettings} streams open at once with MAX_CONCURRENT_STREAMS=1`),
      };
    case "data_frame_padding":
      // 5 bytes of message and 255 of padding per frame: about 17 MB of flow-control debt for 314 kB.
      return { behaviour: { grantStreamWindow: true, onRequestData: onWholeRequest((conn, stream, response) => respond(conn, stream, response, { frameData: 5, padding: 255 })) }, failures: noChecks };
    case "no_df_padding_sanity_test":
      return { behaviour: { grantStreamWindow: true, onRequestData: onWholeRequest((conn, stream, response) => respond(conn, stream, response, { frameData: 5 })) }, failures: noChecks };
  }
}

/** Answers the first call, then sends GOAWAY; the client must make its next call on a new connection. */
function goawayCase(): NegativeCase {
  let answered = 0;
  return {
    behaviour: {
      grantStreamWindow: true,
      onRequestData: onWholeRequest(async (conn, stream, response) => {
        if (conn.goawaySent) return conn.resetStream(stream, ERROR.REFUSED_STREAM);
        await respond(conn, stream, response);
        if (++answered === 1) conn.goaway(stream.id, ERROR.NO_ERROR);
      }),
    },
    failures: (connections) => {
      const used = connections.filter((c) => [...c.streams.values()].some((s) => s.halfClosed)).length;
      return used >= 2 ? [] : [`calls came on ${used} connection(s), want 2 (the second after GOAWAY on a new one)`];
    },
  };
}

/** PINGs before and after the response headers and after its data (the trailers follow); every one must be acknowledged. */
function pingCase(): NegativeCase {
  return {
    behaviour: {
      grantStreamWindow: true,
      onRequestData: onWholeRequest(async (conn, stream, response) => {
        conn.ping();
        conn.sendHeaders(stream, RESPONSE_HEADERS);
        conn.ping();
        if (!(await conn.sendData(stream, response))) return;
        conn.ping();
        conn.sendHeaders(stream, OK_TRAILERS, true);
      }),
    },
    failures: (connections) => {
      const failures = connections.filter((c) => c.unackedPings.size > 0).map((c) => `${c.unackedPings.size} of ${c.pingsSent} PINGs never acknowledged`);
      if (!connections.some((c) => c.pingsSent > 0)) failures.push("no PING was sent (no call arrived)");
      return failures;
    },
  };
}
