// The command line every interop client takes, parsed once for both clients (safestub and grpc-js).
import type * as grpc from "@grpc/grpc-js";
import { hostPort, parseFlags, parsePort } from "./flags.js";
import { selectCases } from "./runner.js";
import type { CaseName } from "./spec.js";
import { CLIENT_TLS_FLAGS, clientTransport } from "./tls.js";

export interface ClientFlags<Name extends string = CaseName> {
  /** `host:port` of the server under test. */
  readonly target: string;
  /** The cases --test_case asked for. */
  readonly names: Name[];
  readonly credentials: grpc.ChannelCredentials;
  readonly options: grpc.ChannelOptions;
}

/**
 * Reads --server_host, --server_port, --test_case (one of `known`, the interop cases unless told,
 * or of `byNameOnly`, which `all` leaves out)
 * and the TLS flags; throws UsageError on a bad one.
 */
export function parseClientFlags<Name extends string = CaseName>(argv: readonly string[], known?: readonly Name[], byNameOnly?: readonly Name[]): ClientFlags<Name> {
  const flags = parseFlags(argv, ["server_host", "server_port", "test_case", ...CLIENT_TLS_FLAGS]);
  const host = flags.get("server_host", "127.0.0.1")!;
  const port = parsePort(flags.get("server_port"), "server_port");
  const names = selectCases<Name>(flags.get("test_case"), known, byNameOnly);
  return { target: hostPort(host, port), names, ...clientTransport(flags) };
}
