// What test/helpers/storm-server.ts answers to unary "stats", and the call that asks for it.
import { messages } from "@backend/messages.js";
import type { ProbeClient } from "@backend/probe.js";
import { msg } from "./probe.js";

export interface ServerStats {
  /** The message backend the server process runs on. */
  messages: "ts-proto" | "protobuf-es";
  /** Handlers running now (not counting the stats call itself). */
  running: number;
  /** Handlers started so far (counting the stats call). */
  started: number;
  activeHandles: number;
  rssMiB: number;
  heapUsedMiB: number;
}

/** The storm server's stats; throws if it runs on another message backend than this process (a child started with the wrong tsconfig). */
export async function statsOf(client: ProbeClient): Promise<ServerStats> {
  const stats = JSON.parse((await client.unary(msg({ text: "stats" }))).text) as ServerStats;
  if (stats.messages !== messages) throw new Error(`the storm server runs on ${stats.messages} messages, this process on ${messages}`);
  return stats;
}
