// The package as users get it: `npm pack`, check what the tarball holds, then
// install it into a scratch project outside the repo and use it the way the
// README says: `buf generate` with ts-proto and protoc-gen-safestub from
// node_modules, type-check the output with tsc, run a server and a client.
//
// The tarball is packed with --ignore-scripts: `prepack` would run the build,
// rewriting dist/ under the feet of tests running in parallel; `npm test`
// builds dist/ before any test runs.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const repoPackage = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  name: string;
  bin: Record<string, string>;
  exports: Record<string, unknown>;
  main: string;
  types: string;
};

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number; mode: number }[];
}

/** The environment for child npm/buf/node processes: no npm_* variables from an outer `npm test`, no repo bins on PATH. */
/** The body of the first fenced block in README.md whose info string is `info` and whose body matches `marker`. */
function readmeBlock(info: string, marker: RegExp): string {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const fence = /^```(.*)\n([\s\S]*?)^```$/gm;
  for (let m = fence.exec(readme); m; m = fence.exec(readme)) if (m[1]!.trim() === info && marker.test(m[2]!)) return m[2]!;
  throw new Error(`README.md has no \`\`\`${info} block matching ${marker}`);
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  env.PATH = (process.env.PATH ?? "")
    .split(delimiter)
    .filter((dir) => !dir.startsWith(repoRoot.replace(/\/$/, "")))
    .join(delimiter);
  return env;
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: cleanEnv(), timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(" ")} failed in ${cwd}: ${err.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

let workDir: string;
let scratch: string;
let pack: PackResult;

beforeAll(async () => {
  expect(existsSync(join(repoRoot, "dist/runtime/index.js")), "run `npm run build` first").toBe(true);
  workDir = mkdtempSync(join(tmpdir(), "safestub-package-"));
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", workDir], repoRoot, 60_000);
  pack = (JSON.parse(stdout) as PackResult[])[0]!;

  scratch = join(workDir, "scratch");
  mkdirSync(scratch);
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module" }, null, 2));
  await run(
    "npm",
    [
      "install",
      join(workDir, pack.filename),
      "ts-proto@2.18.0",
      "@bufbuild/buf@1.75.0",
      "typescript@~5.9.3",
      "@types/node@20",
      "eslint@^9.39.5",
      "typescript-eslint@^8.73.0",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
    ],
    scratch,
    200_000,
  );
}, 240_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("the npm tarball", () => {
  it("holds what users need and nothing else", () => {
    const paths = pack.files.map((f) => f.path).sort();
    // Everything is the manifest, docs, the plugin bin or built output.
    for (const path of paths) expect(path).toMatch(/^(package\.json|README\.md|LICENSE(\.\w+)?|CHANGELOG\.md|bin\/protoc-gen-safestub|dist\/[\w/.-]+\.(js|d\.ts|js\.map))$/);
    for (const path of ["package.json", "bin/protoc-gen-safestub", "dist/runtime/index.js", "dist/runtime/index.d.ts", "dist/plugin/index.js", "dist/plugin/templates.gen.js"]) {
      expect(paths).toContain(path);
    }
    for (const doc of ["README.md", "LICENSE"]) if (existsSync(join(repoRoot, doc))) expect(paths).toContain(doc);
    expect(paths.filter((p) => /^(test|gen|examples|protos|interop|bench|scripts|templates|node_modules|\.ci)\//.test(p))).toEqual([]);
    expect(pack.size).toBeLessThan(200_000); // about 32 kB when this was written: a jump means something slipped in
  });

  it("ships no stale build output: every dist file comes from a source file", () => {
    for (const { path } of pack.files.filter((f) => f.path.startsWith("dist/"))) {
      const source = path.replace(/^dist\//, "").replace(/(\.d\.ts|\.js\.map|\.js)$/, ".ts");
      expect(existsSync(join(repoRoot, source)), `${path} has no source ${source}`).toBe(true);
    }
  });

  it("ships only source maps that resolve inside the package", () => {
    const paths = new Set(pack.files.map((f) => f.path));
    for (const path of [...paths].filter((p) => p.endsWith(".map"))) {
      const map = JSON.parse(readFileSync(join(scratch, "node_modules", repoPackage.name, path), "utf8")) as { sources: string[]; sourcesContent?: unknown[] };
      if (map.sourcesContent?.length === map.sources.length) continue;
      for (const source of map.sources) expect(paths, `${path} points at ${source}`).toContain(join(path, "..", source));
    }
  });

  it("points bin, main, types and every export at files it holds", () => {
    const paths = new Set(pack.files.map((f) => f.path));
    const strip = (p: string) => p.replace(/^\.\//, "");
    const targets: string[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === "string") targets.push(value);
      else if (value && typeof value === "object") Object.values(value).forEach(collect);
    };
    collect(repoPackage.exports);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of [...targets, repoPackage.main, repoPackage.types, ...Object.values(repoPackage.bin)]) expect(paths, target).toContain(strip(target));

    // npm publish rewrites (and warns about) bin paths that are not plain relative paths such as "./bin/x".
    for (const target of Object.values(repoPackage.bin)) expect(target).toMatch(/^[\w-]+(\/[\w.-]+)+$/);

    // The bin is executable and its relative imports are in the package too.
    const bin = pack.files.find((f) => f.path === "bin/protoc-gen-safestub")!;
    expect(bin.mode & 0o111).not.toBe(0);
    const binSource = readFileSync(join(repoRoot, "bin/protoc-gen-safestub"), "utf8");
    expect(binSource.startsWith("#!/usr/bin/env node\n")).toBe(true);
    for (const [, spec] of binSource.matchAll(/from\s+"(\.[^"]+)"/g)) expect(paths).toContain(join("bin", spec!));
  });

  it("installs the plugin as node_modules/.bin/protoc-gen-safestub", () => {
    const linked = join(scratch, "node_modules/.bin/protoc-gen-safestub");
    expect(existsSync(linked)).toBe(true);
    expect(statSync(linked).mode & 0o111).not.toBe(0);
  });
});

describe("a scratch project using the installed package", () => {
  it("generates with buf, type-checks with tsc and runs a server and a client over loopback", async () => {
    mkdirSync(join(scratch, "protos/scratch/v1"), { recursive: true });
    writeFileSync(join(scratch, "protos/helloworld.proto"), readFileSync(join(repoRoot, "protos/helloworld.proto")));
    mkdirSync(join(scratch, "src"), { recursive: true });
    writeFileSync(
      join(scratch, "protos/scratch/v1/counter.proto"),
      `syntax = "proto3";

package scratch.v1;

import "google/protobuf/timestamp.proto";

// Counter counts.
service Counter {
  // Adds one.
  rpc Increment(IncrementRequest) returns (IncrementResponse) {}
  // Sends the running total after each message.
  rpc Tally(stream IncrementRequest) returns (stream IncrementResponse) {}
}

message IncrementRequest {
  int32 value = 1;
  google.protobuf.Timestamp at = 2;
}

message IncrementResponse {
  int32 value = 1;
}
`,
    );
    // The buf.gen.yaml the README gives users, verbatim: both plugins found on PATH (npx puts node_modules/.bin there).
    writeFileSync(join(scratch, "buf.gen.yaml"), readmeBlock("yaml", /protoc-gen-safestub/));
    writeFileSync(
      join(scratch, "tsconfig.json"),
      JSON.stringify(
        {
          compilerOptions: {
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            strict: true,
            exactOptionalPropertyTypes: true,
            noUncheckedIndexedAccess: true,
            verbatimModuleSyntax: true,
            skipLibCheck: false, // the shipped .d.ts files must type-check in a strict consumer too
            outDir: "build",
            rootDir: "src",
            types: ["node"],
          },
          include: ["src"],
        },
        null,
        2,
      ),
    );
    writeFileSync(
      join(scratch, "src/main.ts"),
      `import { createChannel, createServer } from "safestub";
import { CounterClient, CounterService, type CounterHandlers } from "./gen/scratch/v1/counter_grpc.js";

const handlers: CounterHandlers = {
  increment: (request) => ({ value: request.value + 1 }),
  async tally(requests, sender) {
    let total = 0;
    for await (const request of requests) await sender.send({ value: (total += request.value) });
  },
};

const server = createServer().add(CounterService, handlers);
const port = await server.listen("127.0.0.1:0");
const channel = createChannel(\`http://127.0.0.1:\${port}\`);
try {
  const client = new CounterClient(channel);
  const unary = await client.increment({ value: 41, at: new Date(0) });
  const call = client.tally();
  const [, totals] = await Promise.all([
    (async () => {
      for (const value of [1, 2, 3]) await call.sender.send({ value, at: undefined });
      await call.sender.close();
    })(),
    (async () => {
      const seen: number[] = [];
      for await (const response of call.receiver) seen.push(response.value);
      return seen;
    })(),
  ]);
  console.log(JSON.stringify({ unary: unary.value, totals }));
} finally {
  channel.close();
  await server.shutdown({ graceMs: 1000 });
}
`,
    );

    await run("npx", ["--no-install", "buf", "generate"], scratch, 60_000);
    const generated = readFileSync(join(scratch, "src/gen/scratch/v1/counter_grpc.ts"), "utf8");
    expect(generated).toContain("@generated by protoc-gen-safestub");
    expect(generated).toMatch(/from "safestub"/);
    expect(existsSync(join(scratch, "src/gen/scratch/v1/counter.ts"))).toBe(true);
    expect(existsSync(join(scratch, "src/gen/google/protobuf/timestamp.ts"))).toBe(true);

    await run(process.execPath, [join(scratch, "node_modules/typescript/bin/tsc"), "-p", "."], scratch, 120_000);

    const { stdout } = await run(process.execPath, ["build/main.js"], scratch, 30_000);
    expect(JSON.parse(stdout.trim())).toEqual({ unary: 42, totals: [1, 3, 6] });
  }, 200_000);

  // After the test above (same scratch project, generated code in src/gen).
  it("works with the README's protoc command line too, with the same output as under buf", async () => {
    // The README's command, writing to protoc-out/ instead of src/gen/ so the two outputs can be compared.
    const command = readmeBlock("sh", /--safestub_out=/).replaceAll("src/gen", "protoc-out");
    mkdirSync(join(scratch, "protoc-out"));
    await run("sh", ["-c", command], scratch, 60_000);
    for (const file of ["helloworld_grpc.ts", "helloworld.ts"]) {
      const fromProtoc = readFileSync(join(scratch, "protoc-out", file), "utf8");
      const fromBuf = readFileSync(join(scratch, "src/gen", file), "utf8");
      // ts-proto names the compiler in its header (protoc's version, or "unknown" under buf).
      const body = (text: string) => text.replace(/^\/\/ +protoc +.*$/m, "");
      expect(body(fromProtoc)).toBe(body(fromBuf));
    }
  });

  it.runIf("./eslint" in repoPackage.exports)("lints with the README's eslint.config.js (safestub/eslint's recommended config)", async () => {
    writeFileSync(join(scratch, "eslint.config.js"), readmeBlock("js", /safestub\/eslint/));
    writeFileSync(
      join(scratch, "src/misuse.ts"),
      `import type { CounterClient } from "./gen/scratch/v1/counter_grpc.js";

export async function sendWithoutAwait(client: CounterClient): Promise<void> {
  const call = client.tally();
  call.sender.send({ value: 1, at: undefined });
  await call.sender.close();
}
`,
    );
    // eslint exits 1 when it reports problems: read its JSON report either way.
    const report = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [join(scratch, "node_modules/eslint/bin/eslint.js"), "-f", "json", "src"], { cwd: scratch, env: cleanEnv(), timeout: 120_000 }, (err, stdout, stderr) =>
        stdout.startsWith("[") ? resolve(stdout) : reject(new Error(`eslint failed: ${err?.message}\n${stderr}`)),
      ),
    );
    const messages = (JSON.parse(report) as { filePath: string; messages: { line: number; ruleId: string | null }[] }[]).flatMap((file) =>
      file.messages.map((m) => `${file.filePath.slice(scratch.length + 1)}:${m.line} ${m.ruleId}`),
    );
    // typescript-eslint's recommended rules may have their say too; ours must flag exactly the floating send.
    expect(messages.filter((m) => m.includes("safestub/"))).toEqual(["src/misuse.ts:5 safestub/await-stream-operations"]);
    expect(messages).toContain("src/misuse.ts:5 @typescript-eslint/no-floating-promises");
  }, 130_000);

  it("can be required from CommonJS (require(esm), Node >= 20.19)", async () => {
    const { stdout } = await run(process.execPath, ["-e", 'const s = require("safestub"); console.log(typeof s.createChannel, typeof s.Sender)'], scratch, 30_000);
    expect(stdout.trim()).toBe("function function");
  });
});
