import type * as grpc from "@grpc/grpc-js";
import { Code } from "../../core/code.js";

/** A status as safestub reports it: always one of the 17 Codes. */
export interface TruthfulStatus {
  code: Code;
  details: string;
}

/**
 * The status grpc-js reported, as a Code. grpc-js hands on whatever
 * `Number(grpc-status)` gave (NaN for "abc", 99 for "99"): a malformed or
 * unknown status is INTERNAL, as gRPC-Go treats a grpc-status it cannot
 * parse. grpc-js reports no code at all when it could not read a response
 * message (its identity decompressor rejects a compressed-flag message with
 * a plain Error, whose missing `code` and `details` it passes on).
 */
export function statusFromGrpc(code: number | undefined, details: string | undefined): TruthfulStatus {
  if (isCode(code)) return { code, details: details ?? "" };
  if (code === undefined) {
    return { code: Code.INTERNAL, details: details ?? "could not read a response message (a compressed message without grpc-encoding?)" };
  }
  const shown = Number.isNaN(code) ? "not a number" : String(code);
  return { code: Code.INTERNAL, details: `malformed grpc-status (${shown})${details ? `: ${details}` : ""}` };
}

function isCode(code: number | undefined): code is Code {
  return code !== undefined && Number.isInteger(code) && code >= Code.OK && code <= Code.UNAUTHENTICATED;
}

/** A Code as grpc-js's status enum (the same numbers on the wire). */
export function grpcStatusOf(code: Code): grpc.status {
  return code as number as grpc.status;
}
