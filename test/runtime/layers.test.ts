// The runtime's layers point one way, and nothing below the transports knows grpc-js
// (ARCHITECTURE.md): each module's imports are read from its source and checked against the rule.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const runtime = fileURLToPath(new URL("../../runtime/", import.meta.url));

/** What each layer may import (besides itself and node: built-ins). */
const allowed: Record<string, string[]> = {
  core: [],
  stream: ["core"],
  client: ["core", "stream"],
  server: ["core", "stream"],
};

function importsOf(file: string): string[] {
  const source = readFileSync(file, "utf8");
  return [...source.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)"/gms)].map((m) => m[1]!);
}

function layerOf(file: string): string {
  return relative(runtime, file).split(/[\\/]/)[0]!;
}

const files = readdirSync(runtime, { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".ts"))
  .map((f) => join(runtime, f));

describe("runtime layers", () => {
  it("finds the modules and their imports (the check below is not vacuous)", () => {
    const neutral = files.filter((f) => layerOf(f) in allowed);
    expect(neutral.length).toBeGreaterThanOrEqual(15);
    expect(importsOf(join(runtime, "transport/grpc-js/channel.ts"))).toContain("@grpc/grpc-js");
  });

  for (const layer of Object.keys(allowed)) {
    it(`${layer}/ imports neither @grpc/grpc-js nor a transport, only ${allowed[layer]!.join(", ") || "itself"}`, () => {
      const problems: string[] = [];
      for (const file of files.filter((f) => layerOf(f) === layer)) {
        for (const spec of importsOf(file)) {
          if (spec.startsWith("node:")) continue;
          if (!spec.startsWith(".")) {
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
