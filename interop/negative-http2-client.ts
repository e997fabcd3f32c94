// The safestub negative HTTP/2 interop client, for a server that misbehaves on purpose:
//   npm run interop:negative-client -- --server_host=HOST --server_port=PORT --test_case=NAME|all
// Prints one line per case; exit status 0 only if every requested case passed.
import { createChannel } from "safestub";
import { TestServiceClient } from "@backend/interop.js";
import { parseClientFlags } from "./client-flags.js";
import { runProgram } from "./flags.js";
import { NEGATIVE_CASE_NAMES } from "./http2/negative-cases.js";
import { runCases } from "./runner.js";
import { negativeCases } from "./safestub/negative-cases.js";

runProgram(async () => {
  const { target, names, credentials, options } = parseClientFlags(process.argv.slice(2), NEGATIVE_CASE_NAMES);
  const channel = createChannel(target, { credentials, grpcOptions: options });
  try {
    return (await runCases(negativeCases(new TestServiceClient(channel)), names)) ? 0 : 1;
  } finally {
    channel.close();
    // Let node:http2 write what it queued in its last read (the ACK of a PING that came with the
    // trailers) before the process exits: the ping case's server counts unacknowledged PINGs.
    await new Promise((resolve) => setImmediate(resolve));
  }
});
