import type * as grpc from "@grpc/grpc-js";
import { Code } from "../../core/code.js";

/** A status code from grpc-js as a Code; anything but the 17 codes is UNKNOWN, as gRPC-Go maps it. */
export function codeOf(status: grpc.status | number): Code {
  return Number.isInteger(status) && status >= Code.OK && status <= Code.UNAUTHENTICATED ? (status as number as Code) : Code.UNKNOWN;
}

/** A Code as grpc-js's status enum (the same numbers on the wire). */
export function grpcStatusOf(code: Code): grpc.status {
  return code as number as grpc.status;
}
