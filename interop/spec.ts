// The fixed numbers and strings of the gRPC interop test cases (INTEROP.md),
// shared by the safestub and the grpc-js clients and servers.

/** Every client test case, in the order `--test_case=all` runs them. */
export const CASE_NAMES = [
  "empty_unary",
  "large_unary",
  "client_streaming",
  "server_streaming",
  "ping_pong",
  "empty_stream",
  "timeout_on_sleeping_server",
  "cancel_after_begin",
  "cancel_after_first_response",
  "custom_metadata",
  "status_code_and_message",
  "special_status_message",
  "unimplemented_method",
  "unimplemented_service",
] as const;

export type CaseName = (typeof CASE_NAMES)[number];

/**
 * The cases of the CompressedRequest server feature (expect_compressed). Run
 * by name, not by `all`: each first probes whether the server checks the
 * compressed flag, and fails against one that cannot (grpc-js's server hides
 * the flag from its handlers, so the reference server does not check it).
 */
export const COMPRESSION_CASE_NAMES = ["client_compressed_unary", "client_compressed_streaming"] as const;

export type CompressionCaseName = (typeof COMPRESSION_CASE_NAMES)[number];

/** client_compressed_streaming: the compressed then the uncompressed payload, and their sum. */
export const COMPRESSED_STREAMING_SIZES = [27182, 45904] as const;
export const COMPRESSED_STREAMING_TOTAL = 73086;

/** large_unary and custom_metadata: the request payload and the asked response size. */
export const LARGE_REQUEST_SIZE = 271828;
export const LARGE_RESPONSE_SIZE = 314159;

/** client_streaming: the request payload sizes and their sum. */
export const CLIENT_STREAMING_SIZES = [27182, 8, 1828, 45904] as const;
export const CLIENT_STREAMING_TOTAL = 74922;

/** server_streaming: the asked response sizes. */
export const SERVER_STREAMING_SIZES = [31415, 9, 2653, 58979] as const;

/** ping_pong: (asked response size, request payload size) per round. */
export const PING_PONG_ROUNDS = [
  [31415, 27182],
  [9, 8],
  [2653, 1828],
  [58979, 45904],
] as const;

/** timeout_on_sleeping_server: the payload of its one request. */
export const TIMEOUT_REQUEST_SIZE = 27182;

/** The headers custom_metadata sends and expects echoed. */
export const ECHO_INITIAL_KEY = "x-grpc-test-echo-initial";
export const ECHO_INITIAL_VALUE = "test_initial_metadata_value";
export const ECHO_TRAILING_KEY = "x-grpc-test-echo-trailing-bin";
export const ECHO_TRAILING_VALUE = Uint8Array.of(0xab, 0xab, 0xab);

/** status_code_and_message / special_status_message: the status asked of the server. */
export const STATUS_CODE_UNKNOWN = 2;
export const STATUS_MESSAGE = "test status message";
export const SPECIAL_STATUS_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \u{1F608}\t\n";

/** Status codes the cases check, by their wire numbers. */
export const CODE = { OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, UNIMPLEMENTED: 12 } as const;

/** What a compression case says when the probe was not refused: the server does not check expect_compressed. */
export const PROBE_NOT_REFUSED = "the server does not check expect_compressed (its uncompressed probe was not refused with INVALID_ARGUMENT)";
