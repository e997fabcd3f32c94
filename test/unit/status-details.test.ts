import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { Code, RpcError, decodeStatus, encodeStatus, type StatusDetailInit } from "safestub";
import { statusDetailsBin, withReceivedStatus } from "../../runtime/core/errors.js";

/** Bytes written out as the protobuf encoding spec describes them, byte by byte. */
const bytes = (...parts: (number | string)[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from([p]))));

describe("google.rpc.Status wire bytes", () => {
  it("encodes Status{code:3, message:'bad', details:[BadRequest{name/empty}]} as the spec says", () => {
    // FieldViolation: field=1 (tag 0x0a) "name", description=2 (tag 0x12) "empty": 2+4+2+5 = 13 bytes.
    const violation = bytes(0x0a, 4, "name", 0x12, 5, "empty");
    // BadRequest: field_violations=1 (tag 0x0a), length 13.
    const badRequest = bytes(0x0a, 13, ...[...violation]);
    expect(badRequest.length).toBe(15);
    // Any: type_url=1 (tag 0x0a) 41 bytes, value=2 (tag 0x12) 15 bytes: 2+41+2+15 = 60.
    const typeUrl = "type.googleapis.com/google.rpc.BadRequest";
    expect(typeUrl.length).toBe(41);
    const any = bytes(0x0a, 41, typeUrl, 0x12, 15, ...[...badRequest]);
    // Status: code=1 varint (tag 0x08) 3, message=2 (tag 0x12) "bad", details=3 (tag 0x1a) 60 bytes.
    const expected = bytes(0x08, 3, 0x12, 3, "bad", 0x1a, 60, ...[...any]);
    expect(expected.length).toBe(69);

    const details: StatusDetailInit[] = [{ kind: "BadRequest", fieldViolations: [{ field: "name", description: "empty" }] }];
    expect(Buffer.from(encodeStatus({ code: 3, message: "bad", details })).toString("hex")).toBe(expected.toString("hex"));
    // The server path: an RpcError with the same details sends the same bytes.
    expect(Buffer.from(statusDetailsBin(new RpcError(Code.INVALID_ARGUMENT, "bad", { statusDetails: details }))!).toString("hex")).toBe(expected.toString("hex"));
    expect(decodeStatus(expected)).toEqual({
      code: 3,
      message: "bad",
      details: [{ kind: "BadRequest", fieldViolations: [{ field: "name", description: "empty", reason: "" }] }],
    });
  });

  it("writes a negative int64 and a multi-byte varint as the spec says", () => {
    // RetryInfo{retry_delay: Duration{seconds: 300, nanos: 0}}: 300 = 0xac 0x02.
    const duration = bytes(0x08, 0xac, 0x02);
    const retryInfo = bytes(0x0a, 3, ...[...duration]);
    const url = "type.googleapis.com/google.rpc.RetryInfo";
    const expected = bytes(0x08, 14, 0x1a, 2 + url.length + 2 + 5, 0x0a, url.length, url, 0x12, 5, ...[...retryInfo]);
    expect(Buffer.from(encodeStatus({ code: 14, details: [{ kind: "RetryInfo", retryDelay: { seconds: 300 } }] })).toString("hex")).toBe(expected.toString("hex"));
    // QuotaFailure.Violation.quota_value = -1: ten bytes of varint (two's complement, 64 bits).
    const quota = encodeStatus({ code: 8, details: [{ kind: "QuotaFailure", violations: [{ quotaValue: -1 }] }] });
    expect(Buffer.from(quota).toString("hex")).toContain("38ffffffffffffffffff01");
  });
});

// An independent decoder: protobufjs reading google/rpc/*.proto from google-proto-files.
const require = createRequire(import.meta.url);
const protobuf = require("protobufjs") as typeof import("protobufjs");
const protoRoot = new protobuf.Root();
protoRoot.resolvePath = (_origin, target) => require.resolve(`google-proto-files/${target}`);
protoRoot.loadSync(["google/rpc/status.proto", "google/rpc/error_details.proto"]);

const everyKind: StatusDetailInit[] = [
  { kind: "ErrorInfo", reason: "QUOTA", domain: "example.com", metadata: { zone: "eu", "user-id": "7" } },
  { kind: "BadRequest", fieldViolations: [{ field: "name", description: "empty", reason: "EMPTY", localizedMessage: { locale: "fr", message: "vide" } }, { field: "age" }] },
  { kind: "RetryInfo", retryDelay: { seconds: 2, nanos: 500_000_000 } },
  { kind: "QuotaFailure", violations: [{ subject: "project:1", description: "over", apiService: "a.example.com", quotaMetric: "m", quotaId: "q", quotaDimensions: { region: "eu" }, quotaValue: 100, futureQuotaValue: 0 }] },
  { kind: "PreconditionFailure", violations: [{ type: "TOS", subject: "example.com/tos", description: "not accepted" }] },
  { kind: "ResourceInfo", resourceType: "book", resourceName: "shelves/1/books/2", owner: "user:ann", description: "gone" },
  { kind: "Help", links: [{ description: "docs", url: "https://example.com/help" }] },
  { kind: "LocalizedMessage", locale: "de-DE", message: "Fehler" },
  { kind: "DebugInfo", stackEntries: ["at a", "at b"], detail: "boom ü" },
  { kind: "RequestInfo", requestId: "r-1", servingData: "shard 3" },
  { kind: "Any", typeUrl: "type.googleapis.com/acme.Custom", value: new Uint8Array([0x08, 0x2a, 0xff]) },
];

describe("google.rpc error details", () => {
  it("encodes every standard detail as protobufjs reads it from the .proto files", () => {
    const Status = protoRoot.lookupType("google.rpc.Status");
    const decoded = Status.toObject(Status.decode(encodeStatus({ code: 9, message: "nope", details: everyKind })), { longs: Number, defaults: false }) as {
      code: number;
      message: string;
      details: { type_url: string; value: Uint8Array }[];
    };
    expect(decoded.code).toBe(9);
    expect(decoded.message).toBe("nope");
    const urls = decoded.details.map((d) => d.type_url);
    expect(urls).toEqual([...everyKind.slice(0, -1).map((d) => `type.googleapis.com/google.rpc.${d.kind}`), "type.googleapis.com/acme.Custom"]);
    const read = (i: number) => {
      const type = protoRoot.lookupType(urls[i]!.slice(urls[i]!.lastIndexOf("/") + 1));
      return type.toObject(type.decode(decoded.details[i]!.value), { longs: Number });
    };
    expect(read(0)).toEqual({ reason: "QUOTA", domain: "example.com", metadata: { zone: "eu", "user-id": "7" } });
    expect(read(1)).toEqual({
      fieldViolations: [{ field: "name", description: "empty", reason: "EMPTY", localizedMessage: { locale: "fr", message: "vide" } }, { field: "age" }],
    });
    expect(read(2)).toEqual({ retryDelay: { seconds: 2, nanos: 500_000_000 } });
    expect(read(3)).toEqual({
      violations: [{ subject: "project:1", description: "over", apiService: "a.example.com", quotaMetric: "m", quotaId: "q", quotaDimensions: { region: "eu" }, quotaValue: 100, futureQuotaValue: 0 }],
    });
    expect(read(4)).toEqual({ violations: [{ type: "TOS", subject: "example.com/tos", description: "not accepted" }] });
    expect(read(5)).toEqual({ resourceType: "book", resourceName: "shelves/1/books/2", owner: "user:ann", description: "gone" });
    expect(read(6)).toEqual({ links: [{ description: "docs", url: "https://example.com/help" }] });
    expect(read(7)).toEqual({ locale: "de-DE", message: "Fehler" });
    expect(read(8)).toEqual({ stackEntries: ["at a", "at b"], detail: "boom ü" });
    expect(read(9)).toEqual({ requestId: "r-1", servingData: "shard 3" });
    expect(Buffer.from(decoded.details[10]!.value).toString("hex")).toBe("082aff");
  });

  it("decodes what protobufjs encodes, every kind, with unknown fields skipped", () => {
    const Status = protoRoot.lookupType("google.rpc.Status");
    const any = (name: string, fields: object) => ({ type_url: `type.googleapis.com/google.rpc.${name}`, value: protoRoot.lookupType(`google.rpc.${name}`).encode(fields).finish() });
    const wire = Status.encode({
      code: 5,
      message: "missing",
      details: [
        any("ErrorInfo", { reason: "R", domain: "D", metadata: { k: "v" } }),
        any("RetryInfo", { retryDelay: { seconds: 1, nanos: 2 } }),
        any("QuotaFailure", { violations: [{ subject: "s", quotaValue: 5, futureQuotaValue: 0 }] }),
        any("BadRequest", { fieldViolations: [{ field: "f", localizedMessage: { locale: "en", message: "m" } }] }),
        any("Help", { links: [{ url: "u" }] }),
      ],
    }).finish();
    // An unknown field (99, varint) at the end of the Status is skipped.
    const status = decodeStatus(Buffer.concat([wire, Buffer.from([0x98, 0x06, 0x01])]));
    expect(status).toEqual({
      code: 5,
      message: "missing",
      details: [
        { kind: "ErrorInfo", reason: "R", domain: "D", metadata: { k: "v" } },
        { kind: "RetryInfo", retryDelay: { seconds: 1, nanos: 2 } },
        { kind: "QuotaFailure", violations: [{ subject: "s", description: "", apiService: "", quotaMetric: "", quotaId: "", quotaDimensions: {}, quotaValue: 5, futureQuotaValue: 0 }] },
        { kind: "BadRequest", fieldViolations: [{ field: "f", description: "", reason: "", localizedMessage: { locale: "en", message: "m" } }] },
        { kind: "Help", links: [{ description: "", url: "u" }] },
      ],
    });
  });

  it("round-trips every kind through an RpcError; an unknown type stays raw Any, bytes and all", () => {
    const err = new RpcError(Code.FAILED_PRECONDITION, "no", { statusDetails: everyKind });
    const again = withReceivedStatus(new RpcError(Code.FAILED_PRECONDITION, "no"), statusDetailsBin(err));
    expect(again.statusDetails).toEqual(err.statusDetails);
    expect(again.statusDetails).toHaveLength(everyKind.length);
    expect(again.statusDetail("Any")).toEqual({ kind: "Any", typeUrl: "type.googleapis.com/acme.Custom", value: new Uint8Array([0x08, 0x2a, 0xff]) });
    expect(again.statusDetail("RetryInfo")?.retryDelay).toEqual({ seconds: 2, nanos: 500_000_000 });
    expect(again.statusDetail("BadRequest")?.fieldViolations[1]).toEqual({ field: "age", description: "", reason: "" });
    // Re-sent by a server that passes the error on: the same bytes.
    expect(Buffer.from(statusDetailsBin(again)!).equals(Buffer.from(statusDetailsBin(err)!))).toBe(true);
  });

  it("keeps a standard type whose bytes do not decode as raw Any", () => {
    const broken = { kind: "Any", typeUrl: "type.googleapis.com/google.rpc.ErrorInfo", value: new Uint8Array([0x0a, 0x05, 0x61]) } as const;
    const err = withReceivedStatus(new RpcError(Code.INTERNAL, "x"), encodeStatus({ code: Code.INTERNAL, message: "x", details: [broken, { kind: "Help" }] }));
    expect(err.statusDetails).toEqual([broken, { kind: "Help", links: [] }]);
  });

  it.each([
    ["not protobuf", Buffer.from([0xff, 0xff, 0xff])],
    ["a length past the end", Buffer.from([0x1a, 0x40, 0x0a])],
    ["a wrong wire type for code", Buffer.from([0x0a, 0x01, 0x03])],
    ["invalid UTF-8 in the message", Buffer.from([0x12, 0x02, 0xc3, 0x28])],
    ["a truncated varint", Buffer.from([0x08])],
  ])("gives no details, and does not throw, for %s", (_what, bad) => {
    expect(decodeStatus(bad)).toBeUndefined();
    const err = withReceivedStatus(new RpcError(Code.INTERNAL, "x"), bad);
    expect(err.statusDetails).toEqual([]);
    expect(err.statusDetail("BadRequest")).toBeUndefined();
  });

  it("gives no details when the Status's code is not the error's", () => {
    const wire = encodeStatus({ code: Code.NOT_FOUND, message: "x", details: [{ kind: "Help" }] });
    expect(withReceivedStatus(new RpcError(Code.INTERNAL, "x"), wire).statusDetails).toEqual([]);
    expect(withReceivedStatus(new RpcError(Code.NOT_FOUND, "x"), wire).statusDetails).toEqual([{ kind: "Help", links: [] }]);
  });

  it("keeps the existing constructor: (code, message, metadata?, { cause })", async () => {
    const { Metadata } = await import("safestub");
    const cause = new Error("root");
    const err = new RpcError(Code.ABORTED, "m", new Metadata({ a: "1" }), { cause, statusDetails: [{ kind: "RequestInfo", requestId: "r" }] });
    expect([err.code, err.details, err.metadata.get("a"), err.cause, err.message]).toEqual([Code.ABORTED, "m", "1", cause, "ABORTED: m"]);
    expect(err.statusDetails).toEqual([{ kind: "RequestInfo", requestId: "r", servingData: "" }]);
    expect(new RpcError(Code.ABORTED, "m", { cause }).cause).toBe(cause);
    expect("cause" in new RpcError(Code.ABORTED, "m")).toBe(false);
    expect(new RpcError(Code.ABORTED, "m").statusDetails).toEqual([]);
    expect(statusDetailsBin(new RpcError(Code.ABORTED, "m"))).toBeUndefined();
  });

  it("refuses a malformed detail at construction, with a TypeError", () => {
    expect(() => new RpcError(Code.INTERNAL, "x", { statusDetails: [{ kind: "Nope" } as never] })).toThrow(TypeError);
    expect(() => new RpcError(Code.INTERNAL, "x", { statusDetails: [{ kind: "ErrorInfo", reason: 5 } as never] })).toThrow(TypeError);
    expect(() => new RpcError(Code.INTERNAL, "x", { statusDetails: [{ kind: "RetryInfo", retryDelay: { seconds: 1.5 } }] })).toThrow(TypeError);
  });
});
