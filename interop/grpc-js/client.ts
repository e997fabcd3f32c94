// The reference interop client written on plain @grpc/grpc-js + @grpc/proto-loader:
//   tsx interop/grpc-js/client.ts --server_host=HOST --server_port=PORT --test_case=NAME|all
// Same flags and output as interop/client.ts.
import { parseClientFlags } from "../client-flags.js";
import { runProgram } from "../flags.js";
import { runCases } from "../runner.js";
import { grpcJsCases, type TestServiceStub, type UnimplementedServiceStub } from "./cases.js";
import { loadTestingPackage } from "./proto.js";
import { CASE_NAMES, COMPRESSION_CASE_NAMES, type CaseName, type CompressionCaseName } from "../spec.js";

runProgram(async () => {
  const { target, names, credentials, options } = parseClientFlags<CaseName | CompressionCaseName>(process.argv.slice(2), CASE_NAMES, COMPRESSION_CASE_NAMES);
  const testing = loadTestingPackage();
  const client = new testing.TestService(target, credentials, options) as unknown as TestServiceStub;
  // grpc-js compresses per channel: gzip (compressionAlgorithms.gzip) for the compression cases' compressed requests.
  const compressing = new testing.TestService(target, credentials, { ...options, "grpc.default_compression_algorithm": 2 }) as unknown as TestServiceStub;
  const unimplemented = new testing.UnimplementedService(target, credentials, options) as unknown as UnimplementedServiceStub;
  try {
    return (await runCases(grpcJsCases(client, unimplemented, compressing), names)) ? 0 : 1;
  } finally {
    client.close();
    compressing.close();
    unimplemented.close();
  }
});
