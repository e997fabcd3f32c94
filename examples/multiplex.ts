// multiplex: one Channel shared by two generated clients (Greeter and Echo)
// making parallel calls, and one Server hosting both services.
//
//   npm run example -- multiplex
//
// A Channel is gRPC-Go's ClientConn: one HTTP/2 connection pool, safe to
// share. Generated clients are thin and stateless: create as many as you like
// on one Channel, call them concurrently, and never close them (close the
// Channel when you are done with all of them).
import { createChannel, createServer, type Channel, type Server } from "safestub";
// `@backend/examples.js`: the generated code of either message backend (see helloworld.ts).
import { EchoClient, EchoService, GreeterClient, GreeterService, type EchoHandlers } from "@backend/examples.js";
import { greeter } from "./helloworld.js";

/** Echo repeats what it is told. */
export const echo: EchoHandlers = {
  unaryEcho: (request) => ({ message: request.message }),
  async bidiEcho(requests, sender) {
    for await (const request of requests) await sender.send({ message: request.message });
  },
};

/** One server, two services. */
export async function runServer(port = 0): Promise<{ server: Server; port: number }> {
  const server = createServer().add(GreeterService, greeter).add(EchoService, echo);
  return { server, port: await server.listen(`127.0.0.1:${port}`) };
}

/** Two clients on one Channel, calls in flight at the same time on both. */
export async function callBothInParallel(channel: Channel, names: readonly string[]): Promise<{ greetings: string[]; echoes: string[] }> {
  const greeterClient = new GreeterClient(channel);
  const echoClient = new EchoClient(channel);
  const [greetings, echoes] = await Promise.all([
    Promise.all(names.map(async (name) => (await greeterClient.sayHello({ name })).message)),
    Promise.all(names.map(async (name) => (await echoClient.unaryEcho({ message: name })).message)),
  ]);
  return { greetings, echoes };
}

/** A bidi stream and unary calls share the same Channel without waiting for each other. */
export async function streamWhileCalling(channel: Channel, words: readonly string[]): Promise<{ echoed: string[]; greeting: string }> {
  const echoClient = new EchoClient(channel);
  const greeterClient = new GreeterClient(channel);
  await using call = echoClient.bidiEcho();
  const sendLoop = async () => {
    for (const word of words) await call.sender.send({ message: word });
    await call.sender.close();
  };
  const receiveLoop = async () => {
    const echoed: string[] = [];
    for await (const response of call.receiver) echoed.push(response.message);
    return echoed;
  };
  // While the stream is open, a unary call on the other client goes over the same connection.
  const [, echoed, reply] = await Promise.all([sendLoop(), receiveLoop(), greeterClient.sayHello({ name: "multiplexed" })]);
  return { echoed, greeting: reply.message };
}

/** Runs both client examples against the server at `address` (e.g. "http://127.0.0.1:50051") and logs what happened. */
export async function runClient(address: string, log: (line: string) => void = console.log) {
  const channel = createChannel(address);
  try {
    const names = ["Ada", "Grace", "Barbara", "Frances", "Radia"];
    const parallel = await callBothInParallel(channel, names);
    log(`Greeter x${names.length} and Echo x${names.length} in parallel on one channel:`);
    for (const [i, greeting] of parallel.greetings.entries()) log(`  ${greeting} | echo ${parallel.echoes[i]}`);

    const streamed = await streamWhileCalling(channel, ["one", "two", "three"]);
    log(`BidiEcho echoed ${streamed.echoed.join(", ")} while SayHello answered ${JSON.stringify(streamed.greeting)}`);
    return { ...parallel, ...streamed };
  } finally {
    channel.close();
  }
}
