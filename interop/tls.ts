// Transport security for the interop programs: plaintext unless --use_tls=true, then the test
// certificates in interop/certs/ (a test CA and a server certificate for *.test.google.fr).
import * as grpc from "@grpc/grpc-js";
import { readFileSync } from "node:fs";
import { type Flags, UsageError } from "./flags.js";

/** The TLS flags a client takes besides --use_tls. */
export const CLIENT_TLS_FLAGS = ["use_tls", "use_test_ca", "server_host_override"] as const;

const cert = (name: string): Buffer => readFileSync(new URL(`./certs/${name}`, import.meta.url));

function flag(flags: Flags, name: string): boolean {
  const value = flags.get(name, "false");
  if (value !== "true" && value !== "false") throw new UsageError(`--${name} takes true or false, got ${JSON.stringify(value)}`);
  return value === "true";
}

/** Whether --use_tls=true was given. */
export function usesTls(flags: Flags): boolean {
  return flag(flags, "use_tls");
}

/** The server's credentials: the test server certificate with --use_tls=true, else plaintext. */
export function serverCredentials(flags: Flags): grpc.ServerCredentials {
  if (!usesTls(flags)) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(null, [{ private_key: cert("server1.key"), cert_chain: cert("server1.pem") }]);
}

/**
 * A client's credentials and channel options. With --use_tls=true the server is verified against
 * the test CA (--use_test_ca=true) or the system roots, under the name --server_host_override
 * when given (it is then also the :authority).
 */
export function clientTransport(flags: Flags): { credentials: grpc.ChannelCredentials; options: grpc.ChannelOptions } {
  const override = flags.get("server_host_override");
  if (!usesTls(flags)) {
    if (flag(flags, "use_test_ca") || override !== undefined) throw new UsageError("--use_test_ca and --server_host_override need --use_tls=true");
    return { credentials: grpc.credentials.createInsecure(), options: {} };
  }
  const credentials = grpc.credentials.createSsl(flag(flags, "use_test_ca") ? cert("ca.pem") : null);
  const options: grpc.ChannelOptions = override ? { "grpc.ssl_target_name_override": override, "grpc.default_authority": override } : {};
  return { credentials, options };
}
