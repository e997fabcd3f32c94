import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, createChannel, createServer, DEFAULT_PER_RPC_RETRY_BUFFER_SIZE, RpcError, type Server } from "safestub";
import { GreeterService } from "@backend/examples.js";
import { grpcOptionsOf } from "../helpers/channel-options.js";
import { greet } from "../helpers/greet.js";

let plain: Server;
let plainPort: number;
let tls: Server;
let tlsPort: number;
let caCert: Buffer;
let dir: string;

beforeAll(async () => {
  plain = createServer().add(GreeterService, { sayHello: (r) => ({ message: `plain ${r.name}` }) });
  plainPort = await plain.listen("127.0.0.1:0");
  // A self-signed certificate for localhost, made for this run.
  dir = mkdtempSync(join(tmpdir(), "safestub-tls-"));
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { stdio: "ignore" });
  caCert = readFileSync(join(dir, "cert.pem"));
  const credentials = grpc.ServerCredentials.createSsl(null, [{ private_key: readFileSync(join(dir, "key.pem")), cert_chain: caCert }]);
  tls = createServer({ credentials }).add(GreeterService, { sayHello: (r) => ({ message: `tls ${r.name}` }) });
  tlsPort = await tls.listen("127.0.0.1:0");
});
afterAll(async () => {
  plain.forceShutdown();
  tls.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe("createChannel", () => {
  it("http:// is plaintext", async () => {
    expect(await greet(`http://127.0.0.1:${plainPort}`)).toBe("plain x");
  });

  it("bare host:port and https:// use TLS by default, so a plaintext server is unreachable", async () => {
    for (const address of [`127.0.0.1:${plainPort}`, `https://127.0.0.1:${plainPort}`]) {
      const outcome = await greet(address);
      expect(outcome).toBeInstanceOf(RpcError);
      expect((outcome as RpcError).code).toBe(Code.UNAVAILABLE);
    }
  });

  it("https:// talks TLS to a TLS server trusted through options.credentials", async () => {
    expect(await greet(`https://localhost:${tlsPort}`, { credentials: grpc.credentials.createSsl(caCert) })).toBe("tls x");
    expect(await greet(`localhost:${tlsPort}`, { credentials: grpc.credentials.createSsl(caCert) })).toBe("tls x");
  });

  it("https:// with the system roots refuses a self-signed server", async () => {
    const outcome = await greet(`https://localhost:${tlsPort}`);
    expect(outcome).toBeInstanceOf(RpcError);
    expect((outcome as RpcError).code).toBe(Code.UNAVAILABLE);
  });

  it("options.credentials overrides the scheme (plaintext to a bare address)", async () => {
    expect(await greet(`127.0.0.1:${plainPort}`, { credentials: grpc.credentials.createInsecure() })).toBe("plain x");
  });

  it("sets the per-RPC retry buffer default, and lets grpcOptions override it", () => {
    expect(DEFAULT_PER_RPC_RETRY_BUFFER_SIZE).toBe(16 * 1024);
    const channel = createChannel(`http://127.0.0.1:${plainPort}`);
    const custom = createChannel(`http://127.0.0.1:${plainPort}`, { grpcOptions: { "grpc.per_rpc_retry_buffer_size": 0 } });
    try {
      expect(grpcOptionsOf(channel)["grpc.per_rpc_retry_buffer_size"]).toBe(DEFAULT_PER_RPC_RETRY_BUFFER_SIZE);
      expect(grpcOptionsOf(custom)["grpc.per_rpc_retry_buffer_size"]).toBe(0);
    } finally {
      channel.close();
      custom.close();
    }
  });

  it("closing twice is harmless and `closed` reports it", () => {
    const channel = createChannel(`http://127.0.0.1:${plainPort}`);
    expect(channel.closed).toBe(false);
    channel.close();
    channel.close();
    expect(channel.closed).toBe(true);
  });
});
