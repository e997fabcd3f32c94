// The safestub interop client:
//   npm run interop:client -- --server_host=HOST --server_port=PORT --test_case=NAME|all
// (`all`: the 14 cases every pairing runs; client_compressed_unary and client_compressed_streaming by name.)
// Prints one line per case; exit status 0 only if every requested case passed.
import { createChannel } from "safestub";
import { messages, TestServiceClient, UnimplementedServiceClient } from "@backend/interop.js";
import { parseClientFlags } from "./client-flags.js";
import { runProgram } from "./flags.js";
import { runCases } from "./runner.js";
import { safestubCases } from "./safestub/cases.js";
import { CASE_NAMES, COMPRESSION_CASE_NAMES, type CaseName, type CompressionCaseName } from "./spec.js";

runProgram(async () => {
  const { target, names, credentials, options } = parseClientFlags<CaseName | CompressionCaseName>(process.argv.slice(2), CASE_NAMES, COMPRESSION_CASE_NAMES);
  process.stderr.write(`safestub interop client (${messages} messages)\n`);
  const channel = createChannel(target, { credentials, grpcOptions: options });
  try {
    const passed = await runCases(safestubCases(new TestServiceClient(channel), new UnimplementedServiceClient(channel)), names);
    return passed ? 0 : 1;
  } finally {
    channel.close();
  }
});
