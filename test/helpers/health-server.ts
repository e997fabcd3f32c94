// A server with safestub/health in its own process, as a deployment runs it: prints "port N" once
// listening; SIGTERM drains it (shutdown with a 10 s grace) and exits 0 when the drain is done.
import { createServer } from "safestub";
import { addHealth, ServingStatus } from "safestub/health";

const server = createServer();
addHealth(server).setStatus("app", ServingStatus.SERVING);
const port = await server.listen("127.0.0.1:0");
process.stdout.write(`port ${port}\n`);
process.on("SIGTERM", () => void server.shutdown({ graceMs: 10_000 }).then(() => process.exit(0)));
