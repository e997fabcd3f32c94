// The safestub interop client:
//   npm run interop:client -- --server_host=HOST --server_port=PORT --test_case=NAME|all
// Prints one line per case; exit status 0 only if every requested case passed.
import { createChannel } from "safestub";
import { TestServiceClient, UnimplementedServiceClient } from "../gen/grpc/testing/test_grpc.js";
import { parseFlags, parsePort, UsageError } from "./flags.js";
import { runCases, selectCases } from "./runner.js";
import { safestubCases } from "./safestub/cases.js";
import { CLIENT_TLS_FLAGS, clientTransport } from "./tls.js";

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), ["server_host", "server_port", "test_case", ...CLIENT_TLS_FLAGS]);
  const host = flags.get("server_host", "127.0.0.1")!;
  const port = parsePort(flags.get("server_port"), "server_port");
  const names = selectCases(flags.get("test_case"));
  const { credentials, options } = clientTransport(flags);

  const channel = createChannel(`${host.includes(":") ? `[${host}]` : host}:${port}`, { credentials, grpcOptions: options });
  try {
    const passed = await runCases(safestubCases(new TestServiceClient(channel), new UnimplementedServiceClient(channel)), names);
    return passed ? 0 : 1;
  } finally {
    channel.close();
  }
}

main().then(
  (status) => process.exit(status),
  (err: unknown) => {
    console.error(err instanceof UsageError ? `usage: ${err.message}` : err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
