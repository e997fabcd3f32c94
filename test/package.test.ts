// The two packages as users get them: `npm pack` of packages/safestub (the runtime) and
// packages/protoc-gen-safestub (the generator), what each tarball holds, and installs into scratch
// projects outside the repo:
// - a production install of the runtime alone: only the runtime and what it needs, its size as the
//   README states it;
// - the generator alone as a devDependency: protoplugin's pinned TypeScript 5.4.5 is not the
//   project's `tsc`;
// - an ES-module project used the way the README says: buf (with google/api from
//   google-proto-files) and protoc, tsc 5.9 and 7, a server and a client, the README's ESLint config
//   with the latest ESLint, and `import` and `require` of every entry point in one process;
// - a CommonJS project (module Node16 and NodeNext) that compiles the generated code to require().
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, generatorDir, packPackages, readmeBlock, readmeFile, repoRoot, run, runtimeDir, type PackResult } from "./helpers/packages.js";

interface Manifest {
  name: string;
  version: string;
  bin?: Record<string, string>;
  exports?: Record<string, string | { import: { types: string; default: string }; require: { types: string; default: string } }>;
  main?: string;
  types?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
const runtimeManifest = manifest(runtimeDir);
const generatorManifest = manifest(generatorDir);
/** The runtime's entry points as `import` specifiers: "safestub", "safestub/testing", ... */
const entryPoints = Object.entries(runtimeManifest.exports!)
  .filter(([, target]) => typeof target !== "string")
  .map(([subpath]) => `safestub${subpath.slice(1)}`);

const npmInstall = ["--prefer-offline", "--no-audit", "--no-fund"];

let workDir: string;
let tarballs: { runtime: PackResult; generator: PackResult };
/** The ES-module project the README describes. */
let scratch: string;
/** `npm install --omit=dev` of the runtime alone. */
let production: string;
/** The generator alone, as a devDependency, no TypeScript of the project's own. */
let generatorOnly: string;

function project(name: string, fields: Record<string, unknown> = {}): string {
  const dir = join(workDir, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "1.0.0", private: true, ...fields }, null, 2));
  return dir;
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "safestub-package-"));
  tarballs = await packPackages(workDir);
  const runtimeTgz = join(workDir, tarballs.runtime.filename);
  const generatorTgz = join(workDir, tarballs.generator.filename);

  scratch = project("scratch", { type: "module" });
  production = project("production");
  generatorOnly = project("generator-only");
  await Promise.all([
    (async () => {
      await run("npm", ["install", runtimeTgz, "@grpc/grpc-js", "@bufbuild/protobuf", ...npmInstall], scratch, 200_000);
      await run(
        "npm",
        [
          "install",
          "-D",
          generatorTgz,
          "ts-proto@2.18.0",
          "@bufbuild/buf@1.75.0",
          "google-proto-files@^6.0.1",
          "typescript@~5.9.3",
          "typescript7@npm:typescript@^7.0.2",
          "@types/node@20",
          "eslint", // the latest, 10 today: the peer range is ^9 || ^10
          "typescript-eslint@^8.73.0",
          "@opentelemetry/api@^1.9.0", // the optional peer of safestub/opentelemetry
          ...npmInstall,
        ],
        scratch,
        200_000,
      );
    })(),
    run("npm", ["install", runtimeTgz, "--omit=dev", ...npmInstall], production, 200_000),
    run("npm", ["install", "-D", generatorTgz, ...npmInstall], generatorOnly, 200_000),
  ]);
}, 300_000);

// Several node_modules trees: removing them can take longer than the default hook timeout on a busy machine.
afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
}, 180_000);

/** Every path under `dir` (files only), relative, sorted. */
function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(dir, join(prefix, entry.name)) : [join(prefix, entry.name)]))
    .sort();
}

function duBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += duBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

describe("the tarballs", () => {
  it("hold what users need and nothing else", () => {
    const runtimePaths = tarballs.runtime.files.map((f) => f.path);
    for (const path of runtimePaths) expect(path).toMatch(/^(package\.json|README\.md|LICENSE|dist\/cjs\/package\.json|dist\/(cjs|esm)\/(runtime|eslint)\/[\w/.-]+\.(js|d\.ts))$/);
    const generatorPaths = tarballs.generator.files.map((f) => f.path);
    for (const path of generatorPaths) expect(path).toMatch(/^(package\.json|README\.md|LICENSE|bin\/protoc-gen-safestub|dist\/plugin\/[\w/.-]+\.js)$/);
    for (const path of ["dist/cjs/runtime/index.js", "dist/cjs/runtime/index.d.ts", "dist/esm/runtime/index.js", "dist/esm/runtime/index.d.ts", "dist/cjs/package.json", "README.md", "LICENSE"]) {
      expect(runtimePaths).toContain(path);
    }
    for (const path of ["bin/protoc-gen-safestub", "dist/plugin/index.js", "dist/plugin/templates.gen.js", "README.md", "LICENSE"]) expect(generatorPaths).toContain(path);
    // The runtime has no plugin code and the generator no runtime code.
    expect(runtimePaths.filter((p) => /plugin|templates/.test(p))).toEqual([]);
    expect(generatorPaths.filter((p) => /runtime|eslint/.test(p))).toEqual([]);
    // About 110 kB and 31 kB when this was written (the README is a third of each): a jump means something slipped in.
    expect(tarballs.runtime.size).toBeLessThan(200_000);
    expect(tarballs.generator.size).toBeLessThan(100_000);
  });

  it("ship no stale build output: every dist file comes from a source file", () => {
    const sourceOf = (path: string) => path.replace(/^dist\/(cjs|esm)\//, "").replace(/^dist\//, "").replace(/(\.d\.ts|\.js)$/, ".ts");
    // shared.js is the one file with no source of its own: the modules the entry points share, bundled (scripts/bundle-runtime.mjs).
    const built = [...tarballs.runtime.files, ...tarballs.generator.files].map((f) => f.path).filter((p) => p.startsWith("dist/") && p !== "dist/cjs/package.json" && p !== "dist/cjs/runtime/shared.js");
    expect(built.length).toBeGreaterThan(50);
    for (const path of built) expect(existsSync(join(repoRoot, sourceOf(path))), `${path} has no source ${sourceOf(path)}`).toBe(true);
  });

  it("point main, types, every export (import and require, with types) and the bin at files they hold", () => {
    const runtimePaths = new Set(tarballs.runtime.files.map((f) => f.path));
    const strip = (p: string) => p.replace(/^\.\//, "");
    expect(entryPoints).toEqual(expect.arrayContaining(["safestub", "safestub/testing", "safestub/opentelemetry", "safestub/health", "safestub/eslint"]));
    for (const [subpath, target] of Object.entries(runtimeManifest.exports!)) {
      if (typeof target === "string") continue;
      expect(Object.keys(target), subpath).toEqual(["import", "require"]);
      expect(target.import.types, subpath).toMatch(/^\.\/dist\/esm\/.*\.d\.ts$/);
      expect(target.import.default, subpath).toMatch(/^\.\/dist\/esm\/.*\.js$/);
      expect(target.require.types, subpath).toBe(target.import.types.replace("/esm/", "/cjs/"));
      expect(target.require.default, subpath).toBe(target.import.default.replace("/esm/", "/cjs/"));
      for (const file of [target.import.types, target.import.default, target.require.types, target.require.default]) expect(runtimePaths, file).toContain(strip(file));
    }
    for (const file of [runtimeManifest.main!, runtimeManifest.types!]) expect(runtimePaths, file).toContain(strip(file));

    // npm publish rewrites (and warns about) bin paths that are not plain relative paths such as "./bin/x".
    const generatorPaths = new Set(tarballs.generator.files.map((f) => f.path));
    for (const target of Object.values(generatorManifest.bin!)) {
      expect(target).toMatch(/^[\w-]+(\/[\w.-]+)+$/);
      expect(generatorPaths).toContain(target);
    }
    // The bin is executable and its relative imports are in the package too.
    const bin = tarballs.generator.files.find((f) => f.path === "bin/protoc-gen-safestub")!;
    expect(bin.mode & 0o111).not.toBe(0);
    const binSource = readFileSync(join(generatorDir, "bin/protoc-gen-safestub"), "utf8");
    expect(binSource.startsWith("#!/usr/bin/env node\n")).toBe(true);
    for (const [, spec] of binSource.matchAll(/from\s+"(\.[^"]+)"/g)) expect(generatorPaths).toContain(join("bin", spec!));
  });

  it("depend on what each needs: grpc-js and protobuf for the runtime, protoplugin and handlebars for the generator", () => {
    expect(Object.keys(runtimeManifest.dependencies!).sort()).toEqual(["@bufbuild/protobuf", "@grpc/grpc-js"]);
    expect(Object.keys(generatorManifest.dependencies!).sort()).toEqual(["@bufbuild/protobuf", "@bufbuild/protoplugin", "handlebars"]);
    // The generated code imports the runtime of the same version.
    expect(generatorManifest.peerDependencies!.safestub).toBe(runtimeManifest.version);
    expect(generatorManifest.version).toBe(runtimeManifest.version);
  });

  it("install the plugin as node_modules/.bin/protoc-gen-safestub", () => {
    const linked = join(scratch, "node_modules/.bin/protoc-gen-safestub");
    expect(existsSync(linked)).toBe(true);
    expect(statSync(linked).mode & 0o111).not.toBe(0);
  });
});

describe("a production install of the runtime", () => {
  it("is the runtime, @grpc/grpc-js with its dependencies and @bufbuild/protobuf, nothing of the generator", () => {
    const modules = join(production, "node_modules");
    const installed = new Set<string>();
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith(".")) continue;
      if (entry.startsWith("@")) for (const scoped of readdirSync(join(modules, entry))) installed.add(`${entry}/${scoped}`);
      else installed.add(entry);
    }
    // What safestub's own dependencies pull in, walked through the installed manifests.
    const needed = new Set<string>();
    const visit = (name: string) => {
      if (needed.has(name)) return;
      needed.add(name);
      const { dependencies = {}, optionalDependencies = {} } = JSON.parse(readFileSync(join(modules, name, "package.json"), "utf8")) as { dependencies?: object; optionalDependencies?: object };
      for (const dep of [...Object.keys(dependencies), ...Object.keys(optionalDependencies)]) if (existsSync(join(modules, dep))) visit(dep);
    };
    visit("safestub");
    expect([...installed].filter((name) => !needed.has(name))).toEqual([]);
    expect(installed).toContain("@grpc/grpc-js");
    expect(installed).toContain("@bufbuild/protobuf");
    for (const codegen of ["typescript", "@bufbuild/protoplugin", "handlebars", "@typescript/vfs", "protoc-gen-safestub"]) expect(installed).not.toContain(codegen);
    // safestub's direct dependencies are the two it declares; everything else comes from grpc-js.
    expect(Object.keys(JSON.parse(readFileSync(join(modules, "safestub/package.json"), "utf8")).dependencies).sort()).toEqual(["@bufbuild/protobuf", "@grpc/grpc-js"]);
  });

  it("is the size the README states", () => {
    const bytes = duBytes(join(production, "node_modules"));
    const own = duBytes(join(production, "node_modules/safestub"));
    console.log(`production install: ${(bytes / 1e6).toFixed(1)} MB, safestub itself ${(own / 1e6).toFixed(1)} MB`);
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const stated = /a production install \([^)]*\) is \*\*([\d.]+) MB\*\*/.exec(readme.replace(/\s+/g, " "));
    expect(stated, "README.md states the production install's size").not.toBeNull();
    // Within 15%: the dependencies' patch releases move it a little.
    expect(Math.abs(bytes / 1e6 - Number(stated![1])) / Number(stated![1])).toBeLessThan(0.15);
    expect(bytes).toBeLessThan(20e6); // 55 MB before the split
  });
});

describe("the generator as a devDependency", () => {
  it("keeps protoplugin's pinned TypeScript 5.4.5 nested: the project's tsc is a TypeScript of the peer range", async () => {
    const top = JSON.parse(readFileSync(join(generatorOnly, "node_modules/typescript/package.json"), "utf8")) as { version: string };
    expect(top.version).not.toBe("5.4.5");
    const nested = join(generatorOnly, "node_modules/@bufbuild/protoplugin/node_modules/typescript/package.json");
    expect(existsSync(nested)).toBe(true);
    expect((JSON.parse(readFileSync(nested, "utf8")) as { version: string }).version).toBe("5.4.5");
    const { stdout } = await run("npx", ["--no-install", "tsc", "--version"], generatorOnly, 30_000);
    expect(stdout.trim()).toBe(`Version ${top.version}`);
  });

  it("leaves the project's own TypeScript as its tsc", async () => {
    const { stdout } = await run("npx", ["--no-install", "tsc", "--version"], scratch, 30_000);
    expect(stdout.trim()).toMatch(/^Version 5\.9\./);
  });
});

const counterProto = `syntax = "proto3";

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
`;

/** The README's buf setup and protos in `dir`: buf.yaml (google-proto-files as a module), buf.gen.yaml, protos/helloworld.proto, and the counter service. */
function writeProtos(dir: string): void {
  mkdirSync(join(dir, "protos/scratch/v1"), { recursive: true });
  writeFileSync(join(dir, "protos/helloworld.proto"), readmeFile("protos/helloworld.proto"));
  writeFileSync(join(dir, "protos/scratch/v1/counter.proto"), counterProto);
  writeFileSync(join(dir, "buf.yaml"), readmeFile("buf.yaml"));
  writeFileSync(join(dir, "buf.gen.yaml"), readmeFile("buf.gen.yaml"));
}

describe("an ES-module project using the installed packages", () => {
  it("generates with buf (google/api from google-proto-files), type-checks with tsc and runs a server and a client over loopback", async () => {
    writeProtos(scratch);
    mkdirSync(join(scratch, "src"), { recursive: true });
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
import { GreeterClient, GreeterService } from "./gen/helloworld_grpc.js";
import { HelloRequest } from "./gen/helloworld.js";

const handlers: CounterHandlers = {
  increment: (request) => ({ value: request.value + 1 }),
  async tally(requests, sender) {
    let total = 0;
    for await (const request of requests) await sender.send({ value: (total += request.value) });
  },
};

const server = createServer().add(CounterService, handlers).add(GreeterService, { sayHello: (r) => ({ message: \`Hello \${r.name}\` }) });
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
  const hello = await new GreeterClient(channel).sayHello(HelloRequest.fromPartial({ name: "partial" }));
  console.log(JSON.stringify({ unary: unary.value, totals, hello: hello.message }));
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
    for (const file of ["scratch/v1/counter.ts", "google/protobuf/timestamp.ts", "google/api/annotations.ts", "helloworld_grpc.ts"]) expect(existsSync(join(scratch, "src/gen", file)), file).toBe(true);

    await run(process.execPath, [join(scratch, "node_modules/typescript/bin/tsc"), "-p", "."], scratch, 120_000);
    const { stdout } = await run(process.execPath, ["build/main.js"], scratch, 30_000);
    expect(JSON.parse(stdout.trim())).toEqual({ unary: 42, totals: [1, 3, 6], hello: "Hello partial" });
  }, 200_000);

  // After the test above (same scratch project, generated code in src/gen).
  it("compiles with TypeScript 7 too, installed beside 5.9 as the README's lint section says", async () => {
    const tsc7 = join(scratch, "node_modules/typescript7/bin/tsc");
    const { stdout } = await run(process.execPath, [tsc7, "--version"], scratch, 30_000);
    expect(stdout.trim()).toMatch(/^Version 7\./);
    await run(process.execPath, [tsc7, "-p", ".", "--outDir", "build7"], scratch, 120_000);
    expect(existsSync(join(scratch, "build7/main.js"))).toBe(true);
  }, 130_000);

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

  it("lints with the README's eslint.config.js (safestub/eslint's recommended config) and the latest ESLint", async () => {
    const eslintVersion = (JSON.parse(readFileSync(join(scratch, "node_modules/eslint/package.json"), "utf8")) as { version: string }).version;
    expect(eslintVersion).toMatch(/^(9|10)\./);
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
      execFile(process.execPath, [join(scratch, "node_modules/eslint/bin/eslint.js"), "-f", "json", "src"], { cwd: scratch, env: cleanEnv(), timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
        stdout.startsWith("[") ? resolve(stdout) : reject(new Error(`eslint failed: ${err?.message}\n${stderr}`)),
      ),
    );
    const messages = (JSON.parse(report) as { filePath: string; messages: { line: number; ruleId: string | null }[] }[]).flatMap((file) =>
      file.messages.map((m) => `${file.filePath.slice(scratch.length + 1)}:${m.line} ${m.ruleId}`),
    );
    // typescript-eslint's recommended rules may have their say too; ours must flag exactly the floating send.
    expect(messages.filter((m) => m.includes("safestub/"))).toEqual(["src/misuse.ts:5 safestub/await-stream-operations"]);
    expect(messages).toContain("src/misuse.ts:5 @typescript-eslint/no-floating-promises");
    rmSync(join(scratch, "src/misuse.ts"));
  }, 130_000);

  it("loads one implementation through import and require: the same classes, enums and exports (safestub/protobuf-es, functions only, is an ES module of its own)", async () => {
    writeFileSync(
      join(scratch, "both.mjs"),
      `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const result = {};
for (const specifier of ${JSON.stringify(entryPoints)}) {
  const esm = await import(specifier);
  const cjs = require(specifier);
  const names = Object.keys(esm).sort();
  const cjsNames = Object.keys(cjs).filter((n) => n !== "__esModule").sort();
  // A class keeps its own name through the bundling (an alias such as ServerReflectionClientV1Alpha starts with it).
  const renamed = names.filter((n) => typeof esm[n] === "function" && /^class\b/.test(Function.prototype.toString.call(esm[n])) && !n.startsWith(esm[n].name));
  result[specifier] = { names: names.length, sameNames: JSON.stringify(names) === JSON.stringify(cjsNames), same: names.every((n) => esm[n] === cjs[n]), renamed };
}
const { RpcError, Code } = await import("safestub");
const err = new (require("safestub").RpcError)(Code.NOT_FOUND, "x");
result.instanceof = err instanceof RpcError;
result.eslintPlugin = typeof (await import("safestub/eslint")).default.configs.recommended === "object";
// Entry points share the main one's classes: the in-memory server is safestub's Server, health's errors its RpcError.
const { Server } = await import("safestub");
result.sharedServer = (await import("safestub/testing")).createInMemoryServer() instanceof Server;
// What Node loaded of the implementation: one bundle per entry point and the one they share.
result.loaded = Object.keys(require.cache).filter((p) => p.includes("/node_modules/safestub/")).map((p) => p.split("/node_modules/safestub/").pop()).sort();
console.log(JSON.stringify(result));
`,
    );
    const { stdout } = await run(process.execPath, ["both.mjs"], scratch, 30_000);
    const result = JSON.parse(stdout.trim()) as Record<string, unknown>;
    // safestub/protobuf-es is functions only, shipped to import as an ES module of its own (scripts/build-packages.mjs, OWN_ES_MODULE).
    for (const specifier of entryPoints) expect(result[specifier], specifier).toEqual({ names: expect.any(Number), sameNames: true, same: specifier !== "safestub/protobuf-es", renamed: [] });
    expect((result.safestub as { names: number }).names).toBeGreaterThan(20);
    expect(result.instanceof).toBe(true);
    expect(result.eslintPlugin).toBe(true);
    expect(result.sharedServer).toBe(true);
    const bundles = Object.values(runtimeManifest.exports!).flatMap((target) => (typeof target === "string" ? [] : [target.require.default.replace(/^\.\//, "")]));
    expect(result.loaded).toEqual([...bundles, "dist/cjs/runtime/shared.js"].sort());
  });

  it("loads no CommonJS copy of @bufbuild/protobuf beside the generated code's ES modules (ts-proto's or protobuf-es's) until a status detail is encoded or decoded", async () => {
    writeFileSync(
      join(scratch, "lazy-wire.mjs"),
      `import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const protobufCjs = () => Object.keys(require.cache).filter((p) => p.includes("/node_modules/@bufbuild/protobuf/")).length;
const { encodeStatus, decodeStatus, RpcError, Code } = await import("safestub");
const { protobufEsCodec } = await import("safestub/protobuf-es");
const { StructSchema } = await import("@bufbuild/protobuf/wkt");
const struct = protobufEsCodec(StructSchema);
const result = { atImport: protobufCjs(), protobufEs: struct.decode(struct.encode({ fields: { a: { kind: { case: "stringValue", value: "b" } } } })).fields.a.kind.value };
result.plainDetails = new RpcError(Code.NOT_FOUND, "plain").statusDetails.length;
result.afterPlainError = protobufCjs();
const bytes = encodeStatus({ code: Code.INVALID_ARGUMENT, message: "m", details: [{ kind: "BadRequest", fieldViolations: [{ field: "f", description: "d" }] }] });
result.decoded = decodeStatus(bytes);
result.afterDetails = protobufCjs() > 0;
console.log(JSON.stringify(result));
`,
    );
    const { stdout } = await run(process.execPath, ["lazy-wire.mjs"], scratch, 30_000);
    expect(JSON.parse(stdout.trim())).toEqual({
      atImport: 0,
      protobufEs: "b",
      plainDetails: 0,
      afterPlainError: 0,
      decoded: { code: 3, message: "m", details: [{ kind: "BadRequest", fieldViolations: [{ field: "f", description: "d", reason: "" }] }] },
      afterDetails: true,
    });
  });
});

describe("a CommonJS project using the installed packages", () => {
  // Its own package.json ("type": "commonjs") with the ES-module project's node_modules linked in:
  // the same installs, read as CommonJS.
  let cjs: string;
  beforeAll(() => {
    cjs = join(workDir, "cjs");
    mkdirSync(join(cjs, "src"), { recursive: true });
    writeFileSync(join(cjs, "package.json"), JSON.stringify({ name: "cjs", version: "1.0.0", private: true, type: "commonjs" }, null, 2));
    symlinkSync(join(scratch, "node_modules"), join(cjs, "node_modules"), "dir");
    writeProtos(cjs);
    writeFileSync(
      join(cjs, "src/main.ts"),
      `import { Code, createChannel, createServer, RpcError } from "safestub";
import { createInMemoryChannel, createInMemoryServer } from "safestub/testing";
import { CounterClient, CounterService } from "./gen/scratch/v1/counter_grpc.js";
import { GreeterClient, GreeterService } from "./gen/helloworld_grpc.js";

async function main(): Promise<void> {
  const server = createServer()
    .add(GreeterService, { sayHello: (r) => ({ message: \`Hello \${r.name}\` }) })
    .addPartial(CounterService, {
      async tally(requests, sender) {
        let total = 0;
        for await (const request of requests) await sender.send({ value: (total += request.value) });
      },
    });
  const port = await server.listen("127.0.0.1:0");
  const channel = createChannel(\`http://127.0.0.1:\${port}\`);
  try {
    const hello = await new GreeterClient(channel).sayHello({ name: "commonjs", sentAt: undefined });
    const counter = new CounterClient(channel);
    const unimplemented = await counter.increment({ value: 1, at: undefined }).catch((err: unknown) => err);
    const totals: number[] = [];
    {
      await using call = counter.tally(); // compiled down: Node 20 has Symbol.asyncDispose, not the syntax
      for (const value of [1, 2]) await call.sender.send({ value, at: undefined });
      await call.sender.close();
      for await (const response of call.receiver) totals.push(response.value);
    }
    const memoryServer = createInMemoryServer().add(GreeterService, { sayHello: (r) => ({ message: \`Hi \${r.name}\` }) });
    const inMemory = await new GreeterClient(createInMemoryChannel(memoryServer)).sayHello({ name: "memory", sentAt: undefined });
    await memoryServer.shutdown();
    const isRpcError = unimplemented instanceof RpcError && unimplemented.code === Code.UNIMPLEMENTED;
    console.log(JSON.stringify({ hello: hello.message, isRpcError, totals, inMemory: inMemory.message, commonjs: typeof require === "function" }));
  } finally {
    channel.close();
    await server.shutdown({ graceMs: 1000 });
  }
}
void main();
`,
    );
  });

  it("generates, and the generated code compiles to require() with module Node16 and NodeNext and runs", async () => {
    await run("npx", ["--no-install", "buf", "generate"], cjs, 60_000);
    for (const module of ["Node16", "NodeNext"]) {
      const outDir = `build-${module.toLowerCase()}`;
      writeFileSync(
        join(cjs, `tsconfig.${module}.json`),
        JSON.stringify({
          compilerOptions: { target: "ES2022", module, moduleResolution: module, strict: true, exactOptionalPropertyTypes: true, noUncheckedIndexedAccess: true, skipLibCheck: false, outDir, rootDir: "src", types: ["node"] },
          include: ["src"],
        }),
      );
      await run(process.execPath, [join(cjs, "node_modules/typescript/bin/tsc"), "-p", `tsconfig.${module}.json`], cjs, 120_000);
      const compiled = readFileSync(join(cjs, outDir, "gen/helloworld_grpc.js"), "utf8");
      expect(compiled, module).toMatch(/require\("safestub"\)/);
      expect(compiled, module).not.toMatch(/^import /m);
      const { stdout } = await run(process.execPath, [join(outDir, "main.js")], cjs, 30_000);
      expect(JSON.parse(stdout.trim()), module).toEqual({ hello: "Hello commonjs", isRpcError: true, totals: [1, 3], inMemory: "Hi memory", commonjs: true });
    }
  }, 300_000);

  // After the test above (generated code in src/gen). The types come from dist/cjs here, whose
  // package.json marker has no name: the rule must still know safestub's Sender.
  it("lints with the lint plugin required from an eslint.config.cjs", async () => {
    writeFileSync(join(cjs, "tsconfig.json"), readFileSync(join(cjs, "tsconfig.NodeNext.json")));
    writeFileSync(
      join(cjs, "eslint.config.cjs"),
      `const tseslint = require("typescript-eslint");
const safestub = require("safestub/eslint").default;

module.exports = tseslint.config(safestub.configs.recommended, {
  files: ["**/*.ts"],
  languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
});
`,
    );
    writeFileSync(
      join(cjs, "src/misuse.ts"),
      `import type { CounterClient } from "./gen/scratch/v1/counter_grpc.js";

export async function sendTwice(client: CounterClient): Promise<void> {
  const call = client.tally();
  await Promise.all([call.sender.send({ value: 1, at: undefined }), call.sender.send({ value: 2, at: undefined })]);
}
`,
    );
    const report = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [join(cjs, "node_modules/eslint/bin/eslint.js"), "-f", "json", "src/misuse.ts"], { cwd: cjs, env: cleanEnv(), timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
        stdout.startsWith("[") ? resolve(stdout) : reject(new Error(`eslint failed: ${err?.message}\n${stderr}`)),
      ),
    );
    const messages = (JSON.parse(report) as { messages: { line: number; messageId?: string; ruleId: string | null }[] }[]).flatMap((file) => file.messages.map((m) => `${m.line} ${m.ruleId} ${m.messageId}`));
    expect(messages).toEqual(["5 safestub/await-stream-operations concurrentSend", "5 safestub/await-stream-operations concurrentSend"]);
  }, 130_000);

  it("requires every entry point, the lint plugin as .default", async () => {
    const { stdout } = await run(
      process.execPath,
      ["-e", `const names = ${JSON.stringify(entryPoints)}.map((s) => Object.keys(require(s)).length); console.log(JSON.stringify({ names, plugin: typeof require("safestub/eslint").default.configs.recommended }))`],
      cjs,
      30_000,
    );
    const { names, plugin } = JSON.parse(stdout.trim()) as { names: number[]; plugin: string };
    expect(names.every((n) => n > 0)).toBe(true);
    expect(plugin).toBe("object");
  });
});
