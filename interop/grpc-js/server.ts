// The reference interop server written on plain @grpc/grpc-js + @grpc/proto-loader:
//   tsx interop/grpc-js/server.ts --port=PORT
// Same flags and banner as interop/server.ts, so tests and harnesses can swap them.
import * as grpc from "@grpc/grpc-js";
import { parseFlags, parsePort, runProgram } from "../flags.js";
import { serveUntilSignalled } from "../serve.js";
import { serverCredentials } from "../tls.js";
import { loadTestingPackage } from "./proto.js";
import { grpcJsTestService } from "./test-service.js";

runProgram(async () => {
  const flags = parseFlags(process.argv.slice(2), ["port", "use_tls"]);
  const port = parsePort(flags.get("port"), "port");
  const credentials = serverCredentials(flags);

  const server = new grpc.Server();
  server.addService(loadTestingPackage().TestService.service, grpcJsTestService);
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, credentials, (err, p) => (err ? reject(err) : resolve(p))),
  );
  serveUntilSignalled(`listening on 127.0.0.1:${bound}`, () => {
    return new Promise<void>((resolve) => {
      const force = setTimeout(() => server.forceShutdown(), 5000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  });
});
