// Rich error details end to end: a handler's RpcError with details reaches the client's RpcError,
// on both transports (the unit tier runs this in memory, the integration tier over grpc-js).
import { createRequire } from "node:module";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, Metadata, RpcError, createChannel, encodeStatus, type StatusDetailInit } from "safestub";
import { ProbeClient, encodeMsg } from "@backend/probe.js";
import { ProbeHarness, msg, overSockets } from "../helpers/probe.js";
import { frame, respondWith, startRawServer } from "../helpers/raw-http2.js";

let h: ProbeHarness;
beforeAll(async () => {
  h = await ProbeHarness.start();
});
afterAll(() => h.close());

const details: StatusDetailInit[] = [
  { kind: "BadRequest", fieldViolations: [{ field: "name", description: "empty" }] },
  { kind: "RetryInfo", retryDelay: { seconds: 1, nanos: 250_000_000 } },
  { kind: "Any", typeUrl: "type.googleapis.com/acme.Unknown", value: new Uint8Array([1, 2, 3]) },
];
const expected = [
  { kind: "BadRequest", fieldViolations: [{ field: "name", description: "empty", reason: "" }] },
  { kind: "RetryInfo", retryDelay: { seconds: 1, nanos: 250_000_000 } },
  { kind: "Any", typeUrl: "type.googleapis.com/acme.Unknown", value: new Uint8Array([1, 2, 3]) },
];
const failure = () => new RpcError(Code.INVALID_ARGUMENT, "bad request ü", new Metadata({ "x-why": "test" }), { statusDetails: details });

/** The client's RpcError, checked: its details are the handler's, its trailers have no grpc-* key. */
function expectRich(err: unknown): void {
  expect(err).toBeInstanceOf(RpcError);
  const e = err as RpcError;
  expect([e.code, e.details]).toEqual([Code.INVALID_ARGUMENT, "bad request ü"]);
  expect(e.statusDetails).toEqual(expected);
  expect(e.statusDetail("BadRequest")?.fieldViolations[0]?.field).toBe("name");
  expect(e.metadata.get("x-why")).toBe("test");
  expect([...e.metadata.keys()].filter((k) => k.startsWith("grpc-"))).toEqual([]);
}

describe("rich error details", () => {
  it("unary: the handler's details reach the client", async () => {
    h.impl.unary = () => {
      throw failure();
    };
    expectRich(await h.client.unary(msg()).catch((e: unknown) => e));
  });

  it("server streaming: after messages, the details reach the receiver", async () => {
    h.impl.download = async (_req, tx) => {
      await tx.send(msg({ id: 1 }));
      throw failure();
    };
    const call = h.client.download(msg());
    expect((await call.receiver.recv())?.id).toBe(1);
    expectRich(await call.receiver.recv().catch((e: unknown) => e));
  });

  it("client streaming and bidi: the details reach the response and the receiver", async () => {
    h.impl.upload = async (rx) => {
      await rx.recv();
      throw failure();
    };
    const up = h.client.upload();
    await up.sender.send(msg());
    expectRich(await up.response.catch((e: unknown) => e));

    h.impl.chat = async (rx, tx) => {
      for await (const m of rx) await tx.send(m);
      throw failure();
    };
    const chat = h.client.chat();
    await chat.sender.send(msg({ id: 7 }));
    await chat.sender.close();
    expect((await chat.receiver.recv())?.id).toBe(7);
    expectRich(await chat.receiver.recv().catch((e: unknown) => e));
  });

  it("an error without details sends none, and a client error passed on re-sends the same details", async () => {
    h.impl.unary = () => {
      throw new RpcError(Code.NOT_FOUND, "plain");
    };
    const plain = (await h.client.unary(msg()).catch((e: unknown) => e)) as RpcError;
    expect([plain.code, plain.statusDetails]).toEqual([Code.NOT_FOUND, []]);

    // A handler that rethrows the RpcError it got from another call (a proxy): the details go on.
    h.impl.download = async () => {
      throw failure();
    };
    h.impl.unary = async () => {
      const upstream = h.client.download(msg());
      for await (const _ of upstream.receiver);
      return msg();
    };
    expectRich(await h.client.unary(msg()).catch((e: unknown) => e));
  });

  it.skipIf(!overSockets)("on the wire: grpc-status-details-bin is a google.rpc.Status agreeing with grpc-status and grpc-message (read by plain grpc-js)", async () => {
    h.impl.unary = () => {
      throw failure();
    };
    const client = new grpc.Client(`127.0.0.1:${h.port}`, grpc.credentials.createInsecure());
    try {
      const err = await new Promise<grpc.ServiceError>((resolve) =>
        client.makeUnaryRequest("/safestub.testing.Probe/Unary", (b: Buffer) => b, (b: Buffer) => b, Buffer.from(encodeMsg(msg())), (e) => resolve(e!)),
      );
      // grpc-js passes the trailer through as metadata, base64-decoded, and reads nothing from it.
      const bin = err.metadata.get("grpc-status-details-bin");
      expect(bin).toHaveLength(1);
      const require = createRequire(import.meta.url);
      const protobuf = require("protobufjs") as typeof import("protobufjs");
      const root = new protobuf.Root();
      root.resolvePath = (_o, target) => require.resolve(`google-proto-files/${target}`);
      root.loadSync("google/rpc/status.proto");
      const status = root.lookupType("google.rpc.Status").toObject(root.lookupType("google.rpc.Status").decode(bin[0] as Buffer)) as { code: number; message: string; details: { type_url: string }[] };
      expect([status.code, status.message]).toEqual([err.code, err.details]);
      expect([err.code, err.details]).toEqual([Code.INVALID_ARGUMENT, "bad request ü"]);
      expect(status.details.map((d) => d.type_url)).toEqual(["type.googleapis.com/google.rpc.BadRequest", "type.googleapis.com/google.rpc.RetryInfo", "type.googleapis.com/acme.Unknown"]);
    } finally {
      client.close();
    }
  });

  it.skipIf(!overSockets)("a malformed grpc-status-details-bin from a raw HTTP/2 server: an RpcError with no details, no throw", async () => {
    const good = Buffer.from(encodeMsg(msg({ id: 1 })));
    const variants: Record<string, string> = {
      garbage: Buffer.from([0xff, 0xff, 0xff, 0xff]).toString("base64"),
      truncated: Buffer.from([0x1a, 0x40, 0x0a, 0x01]).toString("base64"),
      "not base64": "%%%not-base64%%%",
      // Well formed, but its code (NOT_FOUND) disagrees with the grpc-status (9) sent beside it.
      "mismatched code": Buffer.from(encodeStatus({ code: Code.NOT_FOUND, message: "raw", details: [{ kind: "Help" }] })).toString("base64"),
      // The control: a good one is read, so the empty details above are not for want of reading.
      "well formed": Buffer.from(encodeStatus({ code: Code.FAILED_PRECONDITION, message: "raw", details: [{ kind: "Help" }] })).toString("base64"),
    };
    const raw = await startRawServer((stream, headers) =>
      respondWith(stream, [frame(good)], { "grpc-status": "9", "grpc-message": "raw", "grpc-status-details-bin": variants[String(headers["x-variant"])]! }),
    );
    const channel = createChannel(`http://127.0.0.1:${raw.port}`);
    try {
      const client = new ProbeClient(channel);
      for (const variant of Object.keys(variants)) {
        const err = (await client.unary(msg(), { metadata: { "x-variant": variant }, timeoutMs: 5000 }).catch((e: unknown) => e)) as RpcError;
        expect(err, variant).toBeInstanceOf(RpcError);
        expect([err.code, err.details], variant).toEqual([Code.FAILED_PRECONDITION, "raw"]);
        expect(() => err.statusDetails, variant).not.toThrow();
        expect(err.statusDetails, variant).toEqual(variant === "well formed" ? [{ kind: "Help", links: [] }] : []);
      }
    } finally {
      channel.close();
      await raw.close();
    }
  });
});
