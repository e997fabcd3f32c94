// helloworld: the smallest safestub client and server (Greeter.SayHello).
//
//   npm run example -- helloworld
//
// Generated code lives in ../gen (`npm run generate`): helloworld.ts holds the
// ts-proto messages, helloworld_grpc.ts the GreeterService definition, the
// GreeterClient and the GreeterHandlers type. The examples run on both message
// backends: `@backend/examples.js` is ../gen (ts-proto) or ../gen/protobuf-es
// (protoc-gen-es, messages=protobuf-es); in your project, import from your
// generated `helloworld_grpc.js` directly.
import { createChannel, createServer, type Server } from "safestub";
import { GreeterClient, GreeterService, type GreeterHandlers } from "@backend/examples.js";

/** The server implementation: one function per rpc. A unary handler returns (or resolves to) the reply. */
export const greeter: GreeterHandlers = {
  sayHello: (request) => ({ message: `Hello ${request.name}` }),
};

/** Serves Greeter on 127.0.0.1:`port` (0 picks a free port) and resolves once it listens. */
export async function runServer(port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer().add(GreeterService, greeter);
  return { server, port: await server.listen(`127.0.0.1:${port}`) };
}

/** Says hello to the server at `address` (e.g. "http://127.0.0.1:50051"; http:// means plaintext) and returns the reply. */
export async function runClient(address: string, log: (line: string) => void = console.log): Promise<string> {
  const channel = createChannel(address);
  try {
    const client = new GreeterClient(channel);
    const reply = await client.sayHello({ name: "world" });
    log(`Greeter.SayHello({ name: "world" }) -> ${JSON.stringify(reply.message)}`);
    return reply.message;
  } finally {
    // The channel belongs to whoever created it; clients never close it.
    channel.close();
  }
}
