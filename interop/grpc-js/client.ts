// The reference interop client written on plain @grpc/grpc-js + @grpc/proto-loader:
//   tsx interop/grpc-js/client.ts --server_host=HOST --server_port=PORT --test_case=NAME|all
// Same flags and output as interop/client.ts.
import { parseFlags, parsePort, UsageError } from "../flags.js";
import { runCases, selectCases } from "../runner.js";
import { grpcJsCases, type TestServiceStub, type UnimplementedServiceStub } from "./cases.js";
import { loadTestingPackage } from "./proto.js";
import { CLIENT_TLS_FLAGS, clientTransport } from "../tls.js";

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), ["server_host", "server_port", "test_case", ...CLIENT_TLS_FLAGS]);
  const host = flags.get("server_host", "127.0.0.1")!;
  const port = parsePort(flags.get("server_port"), "server_port");
  const names = selectCases(flags.get("test_case"));
  const { credentials, options } = clientTransport(flags);

  const target = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const testing = loadTestingPackage();
  const client = new testing.TestService(target, credentials, options) as unknown as TestServiceStub;
  const unimplemented = new testing.UnimplementedService(target, credentials, options) as unknown as UnimplementedServiceStub;
  try {
    return (await runCases(grpcJsCases(client, unimplemented), names)) ? 0 : 1;
  } finally {
    client.close();
    unimplemented.close();
  }
}

main().then(
  (status) => process.exit(status),
  (err: unknown) => {
    console.error(err instanceof UsageError ? `usage: ${err.message}` : err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
