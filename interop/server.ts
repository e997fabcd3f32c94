// The safestub interop server: `npm run interop:server -- --port=PORT`.
// Hosts grpc.testing.TestService on 127.0.0.1, in plaintext unless --use_tls=true; UnimplementedService
// is deliberately not added, so its calls get UNIMPLEMENTED from the transport.
import { createServer } from "safestub";
import { TestServiceService } from "../gen/grpc/testing/test_grpc.js";
import { parseFlags, parsePort, UsageError } from "./flags.js";
import { testServiceHandlers } from "./safestub/test-service.js";
import { serveUntilSignalled } from "./serve.js";
import { serverCredentials } from "./tls.js";

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), ["port", "use_tls", "host"]);
  const port = parsePort(flags.get("port"), "port");
  const credentials = serverCredentials(flags);
  const host = flags.get("host", "127.0.0.1")!;

  const server = createServer({ credentials, onHandlerError: (err, method) => console.error(`${method}: handler failed:`, err) });
  server.add(TestServiceService, testServiceHandlers);
  const bound = await server.listen(`${host.includes(":") ? `[${host}]` : host}:${port}`);
  serveUntilSignalled(`listening on ${host}:${bound}`, () => server.shutdown({ graceMs: 5000 }));
}

main().catch((err: unknown) => {
  console.error(err instanceof UsageError ? `usage: ${err.message}` : err);
  process.exit(err instanceof UsageError ? 2 : 1);
});
