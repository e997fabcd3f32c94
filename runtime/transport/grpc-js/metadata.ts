import * as grpc from "@grpc/grpc-js";
import { Metadata } from "../../core/metadata.js";

/**
 * The trailer with the google.rpc.Status of a failed call (rich error details). grpc-js neither
 * sets nor reads it: it passes it through as metadata, base64-decoded. safestub keeps it out of
 * the Metadata users see (gRPC-Go's isReservedHeader) and hands it to the RpcError instead.
 */
export const STATUS_DETAILS_KEY = "grpc-status-details-bin";

/** The grpc-status-details-bin of `md`, if any. */
export function statusDetailsOf(md: grpc.Metadata): Uint8Array | undefined {
  const value = md.get(STATUS_DETAILS_KEY)[0];
  return value instanceof Uint8Array ? value : undefined;
}

/** Converts to grpc-js metadata for the transport. */
export function toGrpcMetadata(md: Metadata | undefined): grpc.Metadata {
  const out = new grpc.Metadata();
  if (md) {
    for (const [key, value] of md) out.add(key, typeof value === "string" ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
  return out;
}

/**
 * HTTP/2 headers that carry the transport, not the application: gRPC-Go hides them from metadata
 * (its isReservedHeader). grpc-js passes them through, e.g. in a trailers-only response's trailers.
 */
const TRANSPORT_HEADERS = new Set(["content-type", "te"]);

/** Converts grpc-js metadata received from the transport. `-bin` values become Uint8Array (a Buffer). */
export function fromGrpcMetadata(md: grpc.Metadata | undefined): Metadata {
  const out = new Metadata();
  if (!md) return out;
  for (const key of Object.keys(md.getMap())) {
    if (TRANSPORT_HEADERS.has(key)) continue;
    for (const v of md.get(key)) {
      try {
        out.append(key, v);
      } catch {
        // A peer may send keys we would refuse to set (grpc-*): keep what is valid.
      }
    }
  }
  return out;
}
