// The many-backends workload: one channel over three backend processes (round_robin, a retry
// policy for UNAVAILABLE on Unary), a unary load of large requests and numbered bidi echo
// streams, and one backend SIGKILLed a third of the way through. Used by
// test/integration/backends.test.ts and by the before/after measurement under out/.
import * as grpc from "@grpc/grpc-js";
import { Code, createChannel, RpcError } from "safestub";
import { ProbeClient } from "../../gen/testing/probe_grpc.js";
import { startChild, type ChildServer } from "./child.js";
import { msg, sleep } from "./probe.js";

export interface KillLoadOptions {
  calls: number;
  inFlight: number;
  streams: number;
  /** Request payload per unary call: above 16 KiB is what the old forced retry-buffer default broke. */
  payloadBytes: number;
  /** Force the old 16 KiB `grpc.per_rpc_retry_buffer_size` whatever the service config says. */
  forceOldRetryBuffer: boolean;
}

export const defaultKillLoad: KillLoadOptions = { calls: 3000, inFlight: 8, streams: 50, payloadBytes: 32 * 1024, forceOldRetryBuffer: false };

export interface StreamOutcome {
  backend: number;
  onKilledBackend: boolean;
  /** Messages whose send resolved. */
  sent: number;
  /** Messages sent by the time the backend was killed. */
  sentAtKill: number;
  /** The ids echoed back, in arrival order. */
  received: number[];
  /** "OK", or the code name the receiver rejected with. */
  end: string;
}

export interface KillLoadResult {
  ports: number[];
  killedPort: number;
  unaryOk: number;
  /** Failed unary calls by code name. */
  unaryFailures: Record<string, number>;
  /** Unary answers whose id was not the request's (must stay 0). */
  unaryMismatched: number;
  /** Unary calls answered per backend port. */
  unaryByBackend: Record<number, number>;
  streams: StreamOutcome[];
}

export const serviceConfig = {
  loadBalancingConfig: [{ round_robin: {} }],
  methodConfig: [
    {
      name: [{ service: "safestub.testing.Probe", method: "Unary" }],
      retryPolicy: { maxAttempts: 5, initialBackoff: "0.02s", maxBackoff: "0.2s", backoffMultiplier: 2, retryableStatusCodes: ["UNAVAILABLE"] },
    },
  ],
};

const codeName = (err: unknown) => (err instanceof RpcError ? Code[err.code] : `not an RpcError: ${String(err)}`);

export async function runKillLoad(options: KillLoadOptions = defaultKillLoad): Promise<KillLoadResult> {
  const backends: ChildServer[] = await Promise.all([0, 1, 2].map(() => startChild("test/helpers/backend-server.ts")));
  const ports = backends.map((b) => b.port);
  const channel = createChannel(`ipv4:${ports.map((p) => `127.0.0.1:${p}`).join(",")}`, {
    credentials: grpc.credentials.createInsecure(), // plaintext backends: an ipv4: target is TLS otherwise
    grpcOptions: {
      "grpc.service_config": JSON.stringify(serviceConfig),
      ...(options.forceOldRetryBuffer ? { "grpc.per_rpc_retry_buffer_size": 16 * 1024 } : {}),
    },
  });
  const client = new ProbeClient(channel);
  try {
    await warmUp(client, ports);
    const drivers = await Promise.all(Array.from({ length: options.streams }, () => startEchoStream(client)));
    const victim = backends[0]!;
    let sentAtKill: number[] = [];
    const unary = await unaryLoad(client, options, () => {
      sentAtKill = drivers.map((d) => d.sent());
      void victim.kill("SIGKILL");
    });
    await sleep(300); // the surviving streams carry on past the load
    const streams = await Promise.all(drivers.map((d, i) => d.finish(victim.port, sentAtKill[i] ?? -1)));
    return { ports, killedPort: victim.port, ...unary, streams };
  } finally {
    channel.close();
    await Promise.all(backends.map((b) => b.kill()));
  }
}

/** Unary calls until every backend has answered one, so round_robin spreads what follows over all three. */
async function warmUp(client: ProbeClient, ports: number[]): Promise<void> {
  const seen = new Set<number>();
  for (let i = 0; i < 200 && seen.size < ports.length; i++) {
    seen.add((await client.unary(msg(), { timeoutMs: 5000 })).count);
    if (seen.size < ports.length) await sleep(10);
  }
  if (seen.size < ports.length) throw new Error(`only backends ${[...seen].join(", ")} of ${ports.join(", ")} answered`);
}

async function unaryLoad(client: ProbeClient, options: KillLoadOptions, kill: () => void) {
  const payload = Buffer.alloc(options.payloadBytes, 7);
  const unaryFailures: Record<string, number> = {};
  const unaryByBackend: Record<number, number> = {};
  let next = 0;
  let done = 0;
  let unaryOk = 0;
  let unaryMismatched = 0;
  const worker = async () => {
    while (next < options.calls) {
      const id = next++;
      try {
        const res = await client.unary(msg({ id, payload }), { timeoutMs: 15_000 });
        unaryOk++;
        if (res.id !== id) unaryMismatched++;
        unaryByBackend[res.count] = (unaryByBackend[res.count] ?? 0) + 1;
      } catch (err) {
        const name = codeName(err);
        unaryFailures[name] = (unaryFailures[name] ?? 0) + 1;
      }
      if (++done === Math.floor(options.calls / 3)) kill();
    }
  };
  await Promise.all(Array.from({ length: options.inFlight }, worker));
  return { unaryOk, unaryFailures, unaryMismatched, unaryByBackend };
}

/**
 * A bidi stream that sends 0, 1, 2, … every 20 ms while its receive loop collects the echoes, side
 * by side; `finish` stops sending, half-closes and reports how the stream ended.
 */
async function startEchoStream(client: ProbeClient) {
  const call = client.chat();
  const backend = Number((await call.headers).get("x-backend"));
  const received: number[] = [];
  let sent = 0;
  let stopping = false;
  const receiving = (async () => {
    for await (const m of call.receiver) received.push(m.id);
  })().then(
    () => "OK",
    (err: unknown) => codeName(err),
  );
  const sending = (async () => {
    while (!stopping) {
      await call.sender.send(msg({ id: sent }));
      sent++;
      await sleep(20);
    }
    await call.sender.close();
  })().catch(() => undefined); // a send on a stream that failed rejects with the stream's error: `end` reports it
  return {
    sent: () => sent,
    async finish(killedPort: number, sentAtKill: number): Promise<StreamOutcome> {
      stopping = true;
      await sending;
      const end = await receiving;
      return { backend, onKilledBackend: backend === killedPort, sent, sentAtKill, received, end };
    },
  };
}
