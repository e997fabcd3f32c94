// The runtime's layers point one way, and nothing below the transports knows grpc-js
// (ARCHITECTURE.md): each module's imports are read from its source and checked against the rule.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const runtime = fileURLToPath(new URL("../../runtime/", import.meta.url));

/** Packages the neutral layers may import: protobuf's wire primitives (google.rpc.Status in core/status-details.ts). */
const neutralPackages = new Set(["@bufbuild/protobuf/wire"]);

/** What each layer may import (besides itself, node: built-ins and neutralPackages). */
const allowed: Record<string, string[]> = {
  core: [],
  stream: ["core"],
  client: ["core", "stream"],
  server: ["core", "stream"],
  // The in-memory transport is built on the neutral layers only: no grpc-js, not even its transport.
  "transport/in-memory": ["core", "stream", "client", "server"],
  // safestub/opentelemetry: interceptors on the neutral layers, and the one place @opentelemetry/api is imported.
  opentelemetry: ["core", "client", "server"],
  // The services the runtime ships are built like user code, on the neutral layers, never on a transport.
  health: ["core", "stream", "client", "server"],
  // Reflection's generated code imports the same neutral re-export as health's (health/runtime.ts).
  reflection: ["core", "stream", "client", "server", "health"],
  // safestub/protobuf-es: the codec adapter for protoc-gen-es messages.
  "protobuf-es": ["core"],
};

/** Packages a layer may import (every other package import is refused); the health service's ts-proto messages need protobuf's wire format. */
const allowedPackages: Record<string, string[]> = {
  opentelemetry: ["@opentelemetry/api"],
  health: ["@bufbuild/protobuf/wire"],
  // Reflection reads and writes FileDescriptorProtos, and takes the well-known types' files from wkt.
  reflection: ["@bufbuild/protobuf", "@bufbuild/protobuf/wire", "@bufbuild/protobuf/wkt"],
  // The codec types a schema as codegenv2's GenMessage<T>, the type protoc-gen-es v2 gives it (a type-only import).
  "protobuf-es": ["@bufbuild/protobuf", "@bufbuild/protobuf/codegenv2"],
};

function importsOf(file: string): string[] {
  const source = readFileSync(file, "utf8");
  return [...source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gms)].map((m) => m[1]!);
}

/** A module's layer: its top folder under runtime/, or transport/<name> for a transport. */
function layerOf(file: string): string {
  const parts = relative(runtime, file).split(/[\\/]/);
  return parts[0] === "transport" ? parts.slice(0, 2).join("/") : parts[0]!;
}

const files = readdirSync(runtime, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => join(runtime, f));

describe("runtime layers", () => {
  it("finds the modules and their imports (the check below is not vacuous)", () => {
    const neutral = files.filter((f) => layerOf(f) in allowed);
    expect(neutral.length).toBeGreaterThanOrEqual(15);
    expect(importsOf(join(runtime, "transport/grpc-js/channel.ts"))).toContain("@grpc/grpc-js");
    expect(files.filter((f) => layerOf(f) === "transport/in-memory").length).toBeGreaterThanOrEqual(4);
    expect(importsOf(join(runtime, "opentelemetry/span.ts"))).toContain("@opentelemetry/api");
    expect(files.filter((f) => layerOf(f) === "health").length).toBeGreaterThanOrEqual(3);
  });

  it("only opentelemetry/ imports @opentelemetry, and neither safestub nor safestub/testing reaches it", () => {
    const importers = files.filter((f) => importsOf(f).some((spec) => spec.startsWith("@opentelemetry/"))).map((f) => layerOf(f));
    expect(new Set(importers)).toEqual(new Set(["opentelemetry"]));
    // Everything the two entry points load, module by module: @opentelemetry/api is an optional peer dependency.
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of importsOf(file)) if (spec.startsWith(".")) visit(resolve(dirname(file), spec).replace(/\.js$/, ".ts"));
    };
    visit(join(runtime, "index.ts"));
    visit(join(runtime, "testing.ts"));
    expect(seen.size).toBeGreaterThanOrEqual(30);
    expect([...seen].filter((f) => layerOf(f) === "opentelemetry")).toEqual([]);
    expect([...seen].flatMap((f) => importsOf(f)).filter((spec) => !spec.startsWith(".") && !spec.startsWith("node:"))).not.toContain("@opentelemetry/api");
    // Nor protobuf-es's reflection runtime (about 70 ms to load): only safestub/protobuf-es imports it.
    expect([...seen].filter((f) => layerOf(f) === "protobuf-es")).toEqual([]);
    expect([...seen].flatMap((f) => importsOf(f))).not.toContain("@bufbuild/protobuf");
    expect(importsOf(join(runtime, "protobuf-es/index.ts"))).toContain("@bufbuild/protobuf");
  });

  for (const layer of Object.keys(allowed)) {
    it(`${layer}/ imports neither @grpc/grpc-js nor a transport, only ${allowed[layer]!.join(", ") || "itself"}`, () => {
      const problems: string[] = [];
      for (const file of files.filter((f) => layerOf(f) === layer)) {
        for (const spec of importsOf(file)) {
          if (spec.startsWith("node:") || neutralPackages.has(spec)) continue;
          if (!spec.startsWith(".")) {
            if (allowedPackages[layer]?.includes(spec)) continue;
            problems.push(`${relative(runtime, file)} imports package ${spec}`);
            continue;
          }
          const target = layerOf(resolve(dirname(file), spec));
          if (target !== layer && !allowed[layer]!.includes(target)) problems.push(`${relative(runtime, file)} imports ${spec} (layer ${target})`);
        }
      }
      expect(problems).toEqual([]);
    });
  }
});
