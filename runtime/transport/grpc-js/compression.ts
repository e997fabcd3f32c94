import * as grpc from "@grpc/grpc-js";
import type { Compression } from "../../core/call-options.js";

/**
 * grpc-js's compression, as its channel option `grpc.default_compression_algorithm`
 * takes it (compression-algorithms.ts: 0 identity, 1 deflate, 2 gzip). grpc-js
 * 1.14 reads it once per call, in the call's CompressionFilter
 * (build/src/compression-filter.js): there is no per-call choice, so the
 * transport picks a channel per compression.
 */
export type CompressionAlgorithm = grpc.compressionAlgorithms;

/** grpc-js's WriteFlags.NoCompress: this message goes uncompressed in a compressing call. */
export const NO_COMPRESS = 2;

export function algorithmOf(compression: Compression): CompressionAlgorithm {
  return compression === "gzip" ? grpc.compressionAlgorithms.gzip : grpc.compressionAlgorithms.identity;
}

/** The compression a grpc-js channel with these options uses (identity unless set). */
export function channelCompression(options: grpc.ChannelOptions): CompressionAlgorithm {
  const set = options["grpc.default_compression_algorithm"] as unknown;
  return typeof set === "number" && set in grpc.compressionAlgorithms ? (set as CompressionAlgorithm) : grpc.compressionAlgorithms.identity;
}

/** The encodings a grpc-js server decompresses (server-interceptors.js decompressMessage). */
export const SERVER_ENCODINGS: readonly string[] = ["identity", "deflate", "gzip"];
