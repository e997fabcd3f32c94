// The misbehaving HTTP/2 server for the negative interop cases, on hand-written frames:
//   tsx interop/negative-http2-server.ts --port=PORT --test_case=NAME
// Every connection plays the case. On SIGTERM or SIGINT it prints the case's server-side
// assertions (PINGs acknowledged, connections used, concurrent streams) and exits 1 if one failed.
import { UsageError, hostPort, parseFlags, parsePort, runProgram } from "./flags.js";
import { NEGATIVE_CASE_NAMES } from "./http2/negative-cases.js";
import { startNegativeServer } from "./http2/negative-server.js";
import { selectCases } from "./runner.js";
import { serveUntilSignalled } from "./serve.js";

runProgram(async () => {
  const flags = parseFlags(process.argv.slice(2), ["port", "test_case", "host"]);
  const port = parsePort(flags.get("port"), "port");
  const host = flags.get("host", "127.0.0.1")!;
  const [name, ...more] = selectCases(flags.get("test_case"), NEGATIVE_CASE_NAMES);
  if (more.length > 0 || name === undefined) throw new UsageError("--test_case takes one case: the server plays one at a time");
  const server = await startNegativeServer(name, port, host);
  serveUntilSignalled(`listening on ${hostPort(host, server.port)} (${name})`, async () => {
    const failures = server.failures();
    await server.close();
    for (const failure of failures) process.stdout.write(`server assertion failed: ${failure}\n`);
    if (failures.length > 0) process.exit(1);
  });
});
