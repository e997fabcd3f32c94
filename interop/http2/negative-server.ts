// A misbehaving HTTP/2 server on net.Server: every connection plays one negative case.
import { createServer, type AddressInfo } from "node:net";
import { Connection } from "./connection.js";
import { negativeCase, type NegativeCaseName } from "./negative-cases.js";

export interface NegativeServer {
  readonly port: number;
  readonly connections: readonly Connection[];
  /** The case's server-side assertions over the connections so far (empty when they hold). */
  failures(): string[];
  /** Waits until every connection so far has closed (the client went away). */
  connectionsClosed(): Promise<void>;
  close(): Promise<void>;
}

export function startNegativeServer(name: NegativeCaseName, port = 0, host = "127.0.0.1"): Promise<NegativeServer> {
  const testCase = negativeCase(name);
  const connections: Connection[] = [];
  const server = createServer((socket) => connections.push(new Connection(socket, testCase.behaviour)));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        connections,
        failures: () => testCase.failures(connections),
        connectionsClosed: () => Promise.all(connections.map((c) => c.closed)).then(() => {}),
        close: () =>
          new Promise((done) => {
            for (const conn of connections) conn.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
