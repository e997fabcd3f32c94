import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, createServer, RpcError, type Server } from "safestub";
import { GreeterService } from "@backend/examples.js";
import { greet } from "../helpers/greet.js";

let server: Server;
let port: number;
beforeAll(async () => {
  server = createServer().add(GreeterService, { sayHello: (r) => ({ message: `plain ${r.name}` }) });
  port = await server.listen("127.0.0.1:0");
});
afterAll(() => server.forceShutdown());

describe("grpc-js targets (ipv4:, dns:///) are TLS unless credentials say otherwise", () => {
  it("against a plaintext server the call fails UNAVAILABLE, and its details say TLS was chosen and how to get plaintext", async () => {
    for (const address of [`ipv4:127.0.0.1:${port}`, `dns:///localhost:${port}`, `127.0.0.1:${port}`]) {
      const outcome = await greet(address);
      expect(outcome).toBeInstanceOf(RpcError);
      const { code, details } = outcome as RpcError;
      expect(code).toBe(Code.UNAVAILABLE);
      expect(details).toContain(`the server speaks plaintext, not TLS: "${address}" was treated as TLS`);
      expect(details).toContain("http://host:port");
      expect(details).toContain("grpc.credentials.createInsecure()");
    }
  });

  it("with insecure credentials they talk plaintext, several ipv4: addresses included", async () => {
    const credentials = grpc.credentials.createInsecure();
    expect(await greet(`ipv4:127.0.0.1:${port}`, { credentials })).toBe("plain x");
    expect(await greet(`ipv4:127.0.0.1:${port},127.0.0.1:${port}`, { credentials })).toBe("plain x");
    expect(await greet(`dns:///localhost:${port}`, { credentials })).toBe("plain x");
  });

  it("failures that are not TLS handshakes, and channels whose credentials the user chose, keep grpc-js's details", async () => {
    const refused = (await greet("ipv4:127.0.0.1:1")) as RpcError;
    expect(refused.code).toBe(Code.UNAVAILABLE);
    expect(refused.details).toContain("ECONNREFUSED");
    expect(refused.details).not.toContain("safestub");
    const chosen = (await greet(`ipv4:127.0.0.1:${port}`, { credentials: grpc.credentials.createSsl() })) as RpcError;
    expect(chosen.code).toBe(Code.UNAVAILABLE);
    expect(chosen.details).not.toContain("safestub");
  });
});
