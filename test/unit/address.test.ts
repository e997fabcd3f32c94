import { describe, expect, it } from "vitest";
import { parseAddress } from "../../runtime/transport/grpc-js/address.js";

describe("createChannel addresses (parseAddress)", () => {
  it.each([
    ["http://127.0.0.1:50051", "127.0.0.1:50051", false],
    ["http://localhost:8080/", "localhost:8080", false],
    ["http://[::1]:50051", "[::1]:50051", false],
    ["https://api.example.com", "api.example.com:443", true],
    ["https://api.example.com:8443", "api.example.com:8443", true],
    ["api.example.com:443", "api.example.com:443", true],
    ["[::1]:50051", "[::1]:50051", true],
    ["dns:///api.example.com:443", "dns:///api.example.com:443", true],
    ["dns://8.8.8.8/api.example.com:443", "dns://8.8.8.8/api.example.com:443", true],
    ["ipv4:10.0.0.1:50051,10.0.0.2:50051", "ipv4:10.0.0.1:50051,10.0.0.2:50051", true],
    ["unix:/tmp/grpc.sock", "unix:/tmp/grpc.sock", true],
  ])("takes %j as target %j (TLS: %j)", (address, target, secure) => {
    expect(parseAddress(address)).toEqual({ target, secure });
  });

  it.each([
    ["grpc://localhost:50051", /unknown scheme "grpc:\/\/"/],
    ["h2c://localhost:50051", /unknown scheme "h2c:\/\/"/],
    ["http://localhost:50051/v1/service", /path, query or fragment/],
    ["https://localhost:50051?x=1", /path, query or fragment/],
    ["http://localhost", /has no port/],
    ["http://", /no valid host/],
    ["localhost:50051/path", /is not an address/],
    ["", /needs an address/],
  ])("refuses %j with a TypeError that lists the accepted forms", (address, message) => {
    let error: unknown;
    try {
      parseAddress(address);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
    if (!/has no port/.test(String(message))) expect((error as Error).message).toContain('"http://host:port" (plaintext)');
  });
});

describe("OpenTelemetry's server.address and server.port from a Channel's address", () => {
  it.each([
    ["http://127.0.0.1:50051", { "server.address": "127.0.0.1", "server.port": 50051 }],
    ["https://api.example.com", { "server.address": "api.example.com", "server.port": 443 }],
    ["https://[::1]:8443/", { "server.address": "::1", "server.port": 8443 }],
    ["api.example.com:443", { "server.address": "api.example.com", "server.port": 443 }],
    ["dns:///api.example.com:443", { "server.address": "api.example.com", "server.port": 443 }],
    ["dns://8.8.8.8/api.example.com:443", { "server.address": "api.example.com", "server.port": 443 }],
    ["ipv4:10.0.0.1:1,10.0.0.2:2", {}],
    ["unix:/tmp/s.sock", {}],
    ["in-memory", {}],
  ])("%j gives %j", async (target, attributes) => {
    const { serverAttributes } = await import("../../runtime/opentelemetry/client.js");
    expect(serverAttributes(target)).toEqual(attributes);
  });
});
