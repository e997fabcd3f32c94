// The safestub interop server: `npm run interop:server -- --port=PORT`.
// Hosts grpc.testing.TestService on 127.0.0.1, in plaintext unless --use_tls=true; UnimplementedService
// is deliberately not added, so its calls get UNIMPLEMENTED from the transport. It also serves
// grpc.health.v1.Health (the server and every service on it SERVING) and server reflection
// (grpc.reflection.v1 and v1alpha), so a harness can probe it as a Kubernetes probe or grpcurl
// would; shutdown turns every status NOT_SERVING first.
import { createServer } from "safestub";
import { addHealth, HealthService, ServingStatus } from "safestub/health";
import { addReflection, ServerReflectionService, ServerReflectionServiceV1Alpha } from "safestub/reflection";
import { messages, TestServiceService } from "@backend/interop.js";
import { hostPort, parseFlags, parsePort, runProgram } from "./flags.js";
import { testServiceHandlers } from "./safestub/test-service.js";
import { serveUntilSignalled } from "./serve.js";
import { serverCredentials } from "./tls.js";

runProgram(async () => {
  const flags = parseFlags(process.argv.slice(2), ["port", "use_tls", "host"]);
  const port = parsePort(flags.get("port"), "port");
  const credentials = serverCredentials(flags);
  const host = flags.get("host", "127.0.0.1")!;

  const server = createServer({ credentials, onHandlerError: (err, method) => console.error(`${method}: handler failed:`, err) });
  server.add(TestServiceService, testServiceHandlers);
  const health = addHealth(server);
  addReflection(server);
  for (const service of [TestServiceService, HealthService, ServerReflectionService, ServerReflectionServiceV1Alpha]) health.setStatus(service.typeName, ServingStatus.SERVING);
  const bound = await server.listen(hostPort(host, port));
  serveUntilSignalled(`listening on ${host}:${bound} (${messages} messages)`, () => server.shutdown({ graceMs: 5000 }));
});
