// google.rpc.Status and the standard error details (google/rpc/error_details.proto), encoded and
// decoded by hand over @bufbuild/protobuf's wire primitives: ten small messages do not need a
// message library in the runtime. Decoding never throws to its callers outside this module. The
// primitives are loaded by the first detail encoded or decoded (protobuf-wire.ts).
import type { BinaryReader, BinaryWriter, WireType as WireTypeEnum } from "@bufbuild/protobuf/wire";
import { protobufWire } from "./protobuf-wire.js";

// The two wire types used here, as @bufbuild/protobuf's enum has them: not loaded before the first detail.
const WireType = { Varint: 0 as WireTypeEnum.Varint, LengthDelimited: 2 as WireTypeEnum.LengthDelimited };
type WireType = WireTypeEnum;

/** google.protobuf.Duration. `seconds` is an int64 on the wire, a number here. */
export interface Duration {
  seconds: number;
  nanos: number;
}

/** google.rpc.LocalizedMessage. */
export interface LocalizedMessage {
  kind: "LocalizedMessage";
  locale: string;
  message: string;
}

/** google.rpc.ErrorInfo. */
export interface ErrorInfo {
  kind: "ErrorInfo";
  reason: string;
  domain: string;
  metadata: Record<string, string>;
}

/** google.rpc.RetryInfo. */
export interface RetryInfo {
  kind: "RetryInfo";
  retryDelay?: Duration;
}

/** google.rpc.DebugInfo. */
export interface DebugInfo {
  kind: "DebugInfo";
  stackEntries: string[];
  detail: string;
}

/** google.rpc.QuotaFailure. */
export interface QuotaFailure {
  kind: "QuotaFailure";
  violations: {
    subject: string;
    description: string;
    apiService: string;
    quotaMetric: string;
    quotaId: string;
    quotaDimensions: Record<string, string>;
    quotaValue: number;
    futureQuotaValue?: number;
  }[];
}

/** google.rpc.PreconditionFailure. */
export interface PreconditionFailure {
  kind: "PreconditionFailure";
  violations: { type: string; subject: string; description: string }[];
}

/** google.rpc.BadRequest. */
export interface BadRequest {
  kind: "BadRequest";
  fieldViolations: { field: string; description: string; reason: string; localizedMessage?: { locale: string; message: string } }[];
}

/** google.rpc.RequestInfo. */
export interface RequestInfo {
  kind: "RequestInfo";
  requestId: string;
  servingData: string;
}

/** google.rpc.ResourceInfo. */
export interface ResourceInfo {
  kind: "ResourceInfo";
  resourceType: string;
  resourceName: string;
  owner: string;
  description: string;
}

/** google.rpc.Help. */
export interface Help {
  kind: "Help";
  links: { description: string; url: string }[];
}

/** A detail of any other type (or a standard one that did not decode), kept as its google.protobuf.Any. */
export interface AnyDetail {
  kind: "Any";
  typeUrl: string;
  value: Uint8Array;
}

/** One entry of google.rpc.Status.details: a standard error detail, or any other message as raw Any. */
export type StatusDetail =
  | ErrorInfo
  | BadRequest
  | RetryInfo
  | QuotaFailure
  | PreconditionFailure
  | ResourceInfo
  | Help
  | LocalizedMessage
  | DebugInfo
  | RequestInfo
  | AnyDetail;

/** The standard detail kinds (the google.rpc message names). */
export type StatusDetailKind = StatusDetail["kind"];

type Init<T> = T extends Uint8Array
  ? T
  : T extends readonly (infer E)[]
    ? readonly Init<E>[]
    : T extends object
      ? { [K in keyof T]?: Init<T[K]> }
      : T;

/** What RpcError takes as a detail: `kind` and any fields (the rest are the proto3 defaults). */
export type StatusDetailInit = StatusDetail extends infer D ? (D extends { kind: infer K } ? { kind: K } & Init<Omit<D, "kind">> : never) : never;

/** A decoded google.rpc.Status. */
export interface RpcStatus {
  code: number;
  message: string;
  details: StatusDetail[];
}

const TYPE_PREFIX = "type.googleapis.com/google.rpc.";

// Encoding. Proto3: a field at its default value is not written; message fields are written when set.

type Fields = Record<string, unknown>;

const str = (w: BinaryWriter, no: number, v: unknown) => {
  if (v === undefined || v === "") return;
  if (typeof v !== "string") throw new TypeError(`status detail: field ${no} needs a string, got ${typeof v}`);
  w.tag(no, WireType.LengthDelimited).string(v);
};
const int = (w: BinaryWriter, no: number, v: unknown, bits: 32 | 64, always = false) => {
  if (v === undefined || (v === 0 && !always)) return;
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw new TypeError(`status detail: field ${no} needs an integer, got ${String(v)}`);
  w.tag(no, WireType.Varint);
  if (bits === 32) w.int32(v);
  else w.int64(v);
};
const msg = (w: BinaryWriter, no: number, v: unknown, body: (w: BinaryWriter, f: Fields) => void) => {
  if (v === undefined) return;
  if (typeof v !== "object" || v === null) throw new TypeError(`status detail: field ${no} needs an object`);
  body(w.tag(no, WireType.LengthDelimited).fork(), v as Fields);
  w.join();
};
const list = (w: BinaryWriter, no: number, v: unknown, each: (w: BinaryWriter, no: number, item: unknown) => void) => {
  if (v === undefined) return;
  if (!Array.isArray(v)) throw new TypeError(`status detail: field ${no} needs an array`);
  for (const item of v) each(w, no, item);
};
const map = (w: BinaryWriter, no: number, v: unknown) => {
  if (v === undefined) return;
  for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
    msg(w, no, { key, value }, (w, e) => (str(w, 1, e["key"]), str(w, 2, e["value"])));
  }
};

const encoders: Record<Exclude<StatusDetailKind, "Any">, (w: BinaryWriter, f: Fields) => void> = {
  ErrorInfo: (w, f) => (str(w, 1, f["reason"]), str(w, 2, f["domain"]), map(w, 3, f["metadata"])),
  RetryInfo: (w, f) => msg(w, 1, f["retryDelay"], (w, d) => (int(w, 1, d["seconds"], 64), int(w, 2, d["nanos"], 32))),
  DebugInfo: (w, f) => (list(w, 1, f["stackEntries"], str), str(w, 2, f["detail"])),
  QuotaFailure: (w, f) =>
    list(w, 1, f["violations"], (w, no, v) =>
      msg(w, no, v, (w, q) => {
        str(w, 1, q["subject"]);
        str(w, 2, q["description"]);
        str(w, 3, q["apiService"]);
        str(w, 4, q["quotaMetric"]);
        str(w, 5, q["quotaId"]);
        map(w, 6, q["quotaDimensions"]);
        int(w, 7, q["quotaValue"], 64);
        int(w, 8, q["futureQuotaValue"], 64, true);
      }),
    ),
  PreconditionFailure: (w, f) => list(w, 1, f["violations"], (w, no, v) => msg(w, no, v, (w, p) => (str(w, 1, p["type"]), str(w, 2, p["subject"]), str(w, 3, p["description"])))),
  BadRequest: (w, f) =>
    list(w, 1, f["fieldViolations"], (w, no, v) =>
      msg(w, no, v, (w, b) => {
        str(w, 1, b["field"]);
        str(w, 2, b["description"]);
        str(w, 3, b["reason"]);
        msg(w, 4, b["localizedMessage"], encodeLocalized);
      }),
    ),
  RequestInfo: (w, f) => (str(w, 1, f["requestId"]), str(w, 2, f["servingData"])),
  ResourceInfo: (w, f) => (str(w, 1, f["resourceType"]), str(w, 2, f["resourceName"]), str(w, 3, f["owner"]), str(w, 4, f["description"])),
  Help: (w, f) => list(w, 1, f["links"], (w, no, v) => msg(w, no, v, (w, l) => (str(w, 1, l["description"]), str(w, 2, l["url"])))),
  LocalizedMessage: (w, f) => encodeLocalized(w, f),
};

function encodeLocalized(w: BinaryWriter, f: Fields): void {
  str(w, 1, f["locale"]);
  str(w, 2, f["message"]);
}

/** Writes `details` as google.rpc.Status field 3 (repeated google.protobuf.Any). Throws a TypeError on a malformed detail. */
function writeDetails(w: BinaryWriter, details: readonly StatusDetailInit[]): void {
  for (const detail of details) {
    if (detail.kind === "Any") {
      const any = detail as Init<AnyDetail>;
      if (typeof any.typeUrl !== "string" || !(any.value instanceof Uint8Array)) throw new TypeError("status detail of kind Any needs a typeUrl string and a Uint8Array value");
      w.tag(3, WireType.LengthDelimited).fork();
      str(w, 1, any.typeUrl);
      if (any.value.length > 0) w.tag(2, WireType.LengthDelimited).bytes(any.value);
      w.join();
      continue;
    }
    const encode = encoders[detail.kind as Exclude<StatusDetailKind, "Any">] as ((w: BinaryWriter, f: Fields) => void) | undefined;
    if (!encode) throw new TypeError(`unknown status detail kind ${JSON.stringify(detail.kind)} (use kind "Any" for other messages)`);
    const body = new (protobufWire().BinaryWriter)();
    encode(body, detail as Fields);
    w.tag(3, WireType.LengthDelimited).fork();
    str(w, 1, TYPE_PREFIX + detail.kind);
    const value = body.finish();
    if (value.length > 0) w.tag(2, WireType.LengthDelimited).bytes(value);
    w.join();
  }
}

/** Encodes the details alone: the bytes of google.rpc.Status field 3, to go after a code and message. */
export function encodeDetails(details: readonly StatusDetailInit[]): Uint8Array {
  const w = new (protobufWire().BinaryWriter)();
  writeDetails(w, details);
  return w.finish();
}

/** google.rpc.Status with `code` and `message` and `details` (as encodeDetails gave them). */
export function statusWithDetails(code: number, message: string, details: Uint8Array): Uint8Array {
  const w = new (protobufWire().BinaryWriter)();
  int(w, 1, code, 32);
  str(w, 2, message);
  return w.raw(details).finish();
}

/** Encodes a google.rpc.Status (what grpc-status-details-bin carries). Throws a TypeError on a malformed detail. */
export function encodeStatus(status: { code: number; message?: string; details?: readonly StatusDetailInit[] }): Uint8Array {
  return statusWithDetails(status.code, status.message ?? "", encodeDetails(status.details ?? []));
}

// Decoding: unknown fields are skipped, a wrong wire type or a short buffer throws (inside this module).

type Reader = (r: BinaryReader, no: number, wt: WireType) => boolean;

/** Reads every field of `bytes` with `field` (false: not known, skip it). */
function fields(bytes: Uint8Array, field: Reader): void {
  const r = new (protobufWire().BinaryReader)(bytes);
  while (r.pos < r.len) {
    const [no, wt] = r.tag();
    if (!field(r, no, wt)) r.skip(wt, no);
    if (r.pos > r.len) throw new RangeError("premature end of message");
  }
}

function want(wt: WireType, expected: WireType): void {
  if (wt !== expected) throw new Error(`wire type ${wt}, expected ${expected}`);
}

const S = (r: BinaryReader, wt: WireType) => (want(wt, WireType.LengthDelimited), r.string(true));
const B = (r: BinaryReader, wt: WireType) => (want(wt, WireType.LengthDelimited), r.bytes());
const I32 = (r: BinaryReader, wt: WireType) => (want(wt, WireType.Varint), r.int32());
const I64 = (r: BinaryReader, wt: WireType) => (want(wt, WireType.Varint), Number(r.int64()));

/** Decodes a message whose fields are all strings, numbered as `names`. */
function strings<K extends string>(bytes: Uint8Array, names: readonly K[]): Record<K, string> {
  const out = Object.fromEntries(names.map((n) => [n, ""])) as Record<K, string>;
  fields(bytes, (r, no, wt) => {
    const name = names[no - 1];
    if (name === undefined) return false;
    out[name] = S(r, wt);
    return true;
  });
  return out;
}

function mapEntry(bytes: Uint8Array, into: Record<string, string>): void {
  const { key, value } = strings(bytes, ["key", "value"]);
  into[key] = value;
}

/** Field 1 of `bytes`, repeated, each decoded by `each`. */
function repeated<T>(bytes: Uint8Array, each: (b: Uint8Array) => T): T[] {
  const out: T[] = [];
  fields(bytes, (r, no, wt) => no === 1 && out.push(each(B(r, wt))) > 0);
  return out;
}

const decoders: Record<Exclude<StatusDetailKind, "Any">, (b: Uint8Array) => StatusDetail> = {
  ErrorInfo: (b) => {
    const out: ErrorInfo = { kind: "ErrorInfo", reason: "", domain: "", metadata: {} };
    fields(b, (r, no, wt) => {
      if (no === 1) out.reason = S(r, wt);
      else if (no === 2) out.domain = S(r, wt);
      else if (no === 3) mapEntry(B(r, wt), out.metadata);
      else return false;
      return true;
    });
    return out;
  },
  RetryInfo: (b) => {
    const out: RetryInfo = { kind: "RetryInfo" };
    fields(b, (r, no, wt) => {
      if (no !== 1) return false;
      const delay: Duration = { seconds: 0, nanos: 0 };
      fields(B(r, wt), (r, no, wt) => {
        if (no === 1) delay.seconds = I64(r, wt);
        else if (no === 2) delay.nanos = I32(r, wt);
        else return false;
        return true;
      });
      out.retryDelay = delay;
      return true;
    });
    return out;
  },
  DebugInfo: (b) => {
    const out: DebugInfo = { kind: "DebugInfo", stackEntries: [], detail: "" };
    fields(b, (r, no, wt) => {
      if (no === 1) out.stackEntries.push(S(r, wt));
      else if (no === 2) out.detail = S(r, wt);
      else return false;
      return true;
    });
    return out;
  },
  QuotaFailure: (b) => ({
    kind: "QuotaFailure",
    violations: repeated(b, (v) => {
      const q: QuotaFailure["violations"][number] = { subject: "", description: "", apiService: "", quotaMetric: "", quotaId: "", quotaDimensions: {}, quotaValue: 0 };
      const text = ["subject", "description", "apiService", "quotaMetric", "quotaId"] as const;
      fields(v, (r, no, wt) => {
        if (no >= 1 && no <= 5) q[text[no - 1]!] = S(r, wt);
        else if (no === 6) mapEntry(B(r, wt), q.quotaDimensions);
        else if (no === 7) q.quotaValue = I64(r, wt);
        else if (no === 8) q.futureQuotaValue = I64(r, wt);
        else return false;
        return true;
      });
      return q;
    }),
  }),
  PreconditionFailure: (b) => ({ kind: "PreconditionFailure", violations: repeated(b, (v) => strings(v, ["type", "subject", "description"])) }),
  BadRequest: (b) => ({
    kind: "BadRequest",
    fieldViolations: repeated(b, (v) => {
      const out: BadRequest["fieldViolations"][number] = { field: "", description: "", reason: "" };
      const text = ["field", "description", "reason"] as const;
      fields(v, (r, no, wt) => {
        if (no >= 1 && no <= 3) out[text[no - 1]!] = S(r, wt);
        else if (no === 4) out.localizedMessage = strings(B(r, wt), ["locale", "message"]);
        else return false;
        return true;
      });
      return out;
    }),
  }),
  RequestInfo: (b) => ({ kind: "RequestInfo", ...strings(b, ["requestId", "servingData"]) }),
  ResourceInfo: (b) => ({ kind: "ResourceInfo", ...strings(b, ["resourceType", "resourceName", "owner", "description"]) }),
  Help: (b) => ({ kind: "Help", links: repeated(b, (l) => strings(l, ["description", "url"])) }),
  LocalizedMessage: (b) => ({ kind: "LocalizedMessage", ...strings(b, ["locale", "message"]) }),
};

/** One google.protobuf.Any as a detail: a standard type decoded, anything else (or what does not decode) raw. */
function decodeAny(bytes: Uint8Array): StatusDetail {
  let typeUrl = "";
  let value: Uint8Array = new Uint8Array(0);
  fields(bytes, (r, no, wt) => {
    if (no === 1) typeUrl = S(r, wt);
    else if (no === 2) value = Uint8Array.from(B(r, wt)); // a copy, and a plain Uint8Array even when read from a Buffer
    else return false;
    return true;
  });
  // As Go's anypb: the type name is what follows the last "/".
  const name = typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
  const decode = name.startsWith("google.rpc.") && Object.hasOwn(decoders, name.slice(11)) ? decoders[name.slice(11) as Exclude<StatusDetailKind, "Any">] : undefined;
  if (decode) {
    try {
      return decode(value);
    } catch {
      // A standard type whose bytes do not decode stays raw: its bytes survive a round trip.
    }
  }
  return { kind: "Any", typeUrl, value };
}

/** Decodes a google.rpc.Status, or undefined if `bytes` is not one. Never throws. */
export function decodeStatus(bytes: Uint8Array): RpcStatus | undefined {
  try {
    const status: RpcStatus = { code: 0, message: "", details: [] };
    fields(bytes, (r, no, wt) => {
      if (no === 1) status.code = I32(r, wt);
      else if (no === 2) status.message = S(r, wt);
      else if (no === 3) status.details.push(decodeAny(B(r, wt)));
      else return false;
      return true;
    });
    return status;
  } catch {
    return undefined;
  }
}

/** Decodes the bytes encodeDetails gave (our own, so they decode). */
export function decodeDetails(bytes: Uint8Array): StatusDetail[] {
  return decodeStatus(bytes)?.details ?? [];
}
