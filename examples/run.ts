// Runs one example as a program: starts its server on a free loopback port,
// runs its client against it, prints what happened and exits.
//
//   npm run example -- helloworld | route_guide | multiplex
//
// Exit status: 0 when the example ran, 1 when it failed, 2 for a usage error.
import type { Server } from "safestub";
import * as helloworld from "./helloworld.js";
import * as multiplex from "./multiplex.js";
import * as routeGuide from "./route_guide.js";

interface Example {
  runServer(port?: number): Promise<{ server: Server; port: number }>;
  runClient(address: string, log?: (line: string) => void): Promise<unknown>;
}

const examples: Record<string, Example> = {
  helloworld,
  route_guide: routeGuide,
  multiplex,
};

async function main(args: readonly string[]): Promise<number> {
  const name = args[0];
  const example = name !== undefined && Object.hasOwn(examples, name) ? examples[name] : undefined;
  if (!example || args.length !== 1) {
    process.stderr.write(`usage: npm run example -- <${Object.keys(examples).join("|")}>\n`);
    if (name !== undefined && !example) process.stderr.write(`unknown example: ${JSON.stringify(name)}\n`);
    return 2;
  }
  const { server, port } = await example.runServer(0);
  console.log(`[${name}] server listening on 127.0.0.1:${port}`);
  try {
    await example.runClient(`http://127.0.0.1:${port}`);
  } finally {
    await server.shutdown({ graceMs: 1_000 });
  }
  console.log(`[${name}] done`);
  return 0;
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
