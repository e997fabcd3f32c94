// The Google APIs corpus (npm package google-proto-files): generate ts-proto
// messages and safestub services for every file with services in a slice,
// then type-check the safestub output against the ts-proto output.
//
// Used by corpus.test.ts (a deterministic slice) and runnable for the whole
// corpus: `npm run corpus` (= tsx test/plugin/corpus.ts [--all | prefix...]).
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  CodeGeneratorRequestSchema,
  CodeGeneratorResponseSchema,
  FileDescriptorSetSchema,
  type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));
const corpusDir = join(root, "node_modules/google-proto-files");
const bin = (name: string) => join(root, "node_modules/.bin", name);

/** The options the project's buf.gen.yaml gives ts-proto. */
export const tsProtoParameter = "outputServices=false,esModuleInterop=true,importSuffix=.js,env=node,outputJsonMethods=false";
export const safestubParameter = "import_extension=js";

/**
 * A buf image of the corpus (cached under out/corpus), limited to `dirs`
 * (e.g. "google/api") and what they import, or all of it without `dirs`.
 * google/protobuf is left out: it holds editions test files that do not
 * compile on their own, and buf supplies the well-known types itself.
 */
export function corpusImage(dirs: string[] = []): FileDescriptorProto[] {
  const key = dirs.length === 0 ? "all" : createHash("sha256").update(dirs.join("\n")).digest("hex").slice(0, 12);
  const image = join(root, `out/corpus/google-proto-files-${key}.binpb`);
  const stamp = statSync(join(corpusDir, "package.json")).mtimeMs;
  if (!existsSync(image) || statSync(image).mtimeMs < stamp) {
    mkdirSync(dirname(image), { recursive: true });
    const paths = dirs.flatMap((d) => ["--path", join(corpusDir, d)]);
    const r = spawnSync(bin("buf"), ["build", corpusDir, "--exclude-path", join(corpusDir, "google/protobuf"), ...paths, "-o", `${image}.tmp`], {
      encoding: "utf8",
      timeout: 600_000,
    });
    if (r.status !== 0) throw new Error(`buf build failed: ${r.stderr || r.error}`);
    renameSync(`${image}.tmp`, image);
  }
  return fromBinary(FileDescriptorSetSchema, readFileSync(image)).file;
}

export interface Slice {
  /** Files with services to generate, in image order. */
  targets: string[];
  services: number;
  methods: number;
  /** The request given to both plugins. */
  request: Uint8Array;
}

/** A CodeGeneratorRequest for every file with services whose name starts with one of the prefixes ("" = all). */
export function sliceRequest(files: FileDescriptorProto[], prefixes: string[], parameter = ""): Slice {
  const byName = new Map(files.map((f) => [f.name, f]));
  const targets = files.filter((f) => f.service.length > 0 && prefixes.some((p) => f.name.startsWith(p)));
  // Every file the targets need, transitively, in the image's (dependency-first) order.
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name)) return;
    needed.add(name);
    for (const dep of byName.get(name)?.dependency ?? []) visit(dep);
  };
  targets.forEach((f) => visit(f.name));
  const protoFile = files.filter((f) => needed.has(f.name));
  const request = create(CodeGeneratorRequestSchema, {
    fileToGenerate: targets.map((f) => f.name),
    parameter,
    protoFile,
    compilerVersion: { major: 3, minor: 21, patch: 12 },
  });
  return {
    targets: targets.map((f) => f.name),
    services: targets.reduce((n, f) => n + f.service.length, 0),
    methods: targets.reduce((n, f) => n + f.service.reduce((m, s) => m + s.method.length, 0), 0),
    request: toBinary(CodeGeneratorRequestSchema, request),
  };
}

export interface PluginRun {
  ms: number;
  files: { name: string; content: string }[];
}

/** Runs a plugin executable on a request, as protoc and buf do (request on stdin, response on stdout). */
export function runPluginBinary(command: string, args: string[], request: Uint8Array, parameter: string): PluginRun {
  const req = fromBinary(CodeGeneratorRequestSchema, request);
  req.parameter = parameter;
  const start = performance.now();
  const r = spawnSync(command, args, {
    input: toBinary(CodeGeneratorRequestSchema, req),
    maxBuffer: 4 * 1024 ** 3,
    timeout: 900_000,
    env: { ...process.env, NODE_OPTIONS: "--max-old-space-size=12288" },
  });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${command} failed (${r.status ?? r.signal}): ${r.stderr?.toString() || r.error}`);
  const res = fromBinary(CodeGeneratorResponseSchema, r.stdout);
  if (res.error) throw new Error(`${command}: ${res.error}`);
  return { ms, files: res.file.map((f) => ({ name: f.name, content: f.content })) };
}

export function writeFiles(dir: string, files: { name: string; content: string }[]): void {
  for (const f of files) {
    const path = join(dir, f.name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
  }
}

export interface TscRun {
  ms: number;
  errors: number;
  output: string;
}

/**
 * Type-checks `roots` (and what they import) under the project's strict
 * settings. `compiler` "7" is the native TypeScript 7 (node_modules/typescript7),
 * "5" the project's TypeScript 5.9.
 */
export function typecheck(dir: string, roots: string[], compiler: "5" | "7" = "7"): TscRun {
  const rel = (p: string) => p.split("/").map(() => "..").join("/");
  const toRoot = rel(dir.slice(root.length).replace(/\/$/, ""));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify(
      {
        extends: `${toRoot}/tsconfig.base.json`,
        compilerOptions: { noEmit: true, skipLibCheck: true, paths: { safestub: [`${toRoot}/runtime/index.ts`] } },
        files: roots,
      },
      null,
      2,
    ),
  );
  const tsc = compiler === "7" ? join(root, "node_modules/typescript7/bin/tsc") : join(root, "node_modules/typescript/bin/tsc");
  const start = performance.now();
  const r = spawnSync(process.execPath, ["--max-old-space-size=12288", tsc, "-p", join(dir, "tsconfig.json")], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 ** 2,
    timeout: 1_800_000,
  });
  const ms = performance.now() - start;
  const output = (r.stdout ?? "") + (r.stderr ?? "");
  const errors = (output.match(/error TS\d+/g) ?? []).length;
  if (r.status !== 0 && errors === 0) throw new Error(`tsc failed (${r.status ?? r.signal}): ${output || r.error}`);
  return { ms, errors, output };
}

export interface CorpusReport {
  dirs: string[];
  targets: number;
  services: number;
  methods: number;
  protoFiles: number;
  tsProto: { ms: number; files: number; bytes: number };
  safestub: { ms: number; files: number; bytes: number };
  tsc: TscRun & { compiler: string };
}

/** Generates and type-checks, into `dir`, every file with services under `dirs` (all of the corpus if empty). */
export function runCorpus(dirs: string[], dir: string, compiler: "5" | "7" = "7"): CorpusReport {
  const files = corpusImage(dirs);
  const prefixes = dirs.length === 0 ? [""] : dirs.map((d) => `${d.replace(/\/$/, "")}/`);
  const slice = sliceRequest(files, prefixes);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const tsProto = runPluginBinary(bin("protoc-gen-ts_proto"), [], slice.request, tsProtoParameter);
  const safestub = runPluginBinary(process.execPath, [join(root, "bin/protoc-gen-safestub")], slice.request, safestubParameter);
  writeFiles(dir, tsProto.files);
  writeFiles(dir, safestub.files);
  const roots = safestub.files.map((f) => f.name);
  const tsc = typecheck(dir, roots, compiler);
  const size = (r: PluginRun) => ({ ms: Math.round(r.ms), files: r.files.length, bytes: r.files.reduce((n, f) => n + f.content.length, 0) });
  return {
    dirs,
    targets: slice.targets.length,
    services: slice.services,
    methods: slice.methods,
    protoFiles: fromBinary(CodeGeneratorRequestSchema, slice.request).protoFile.length,
    tsProto: size(tsProto),
    safestub: size(safestub),
    tsc: { ...tsc, ms: Math.round(tsc.ms), compiler: compiler === "7" ? "tsc 7 (native)" : "tsc 5.9" },
  };
}

// CLI: tsx test/plugin/corpus.ts [--tsc5] [--all | dir...]   (dir like google/api)
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const compiler = args.includes("--tsc5") ? "5" : "7";
  const dirs = args.filter((a) => !a.startsWith("--"));
  const all = args.includes("--all") || dirs.length === 0;
  const report = runCorpus(all ? [] : dirs, join(root, all ? "out/corpus/all" : "out/corpus/slice"), compiler);
  const { output, ...tsc } = report.tsc;
  console.log(JSON.stringify({ ...report, tsc }, null, 2));
  if (report.tsc.errors > 0) {
    console.log(output.split("\n").slice(0, 40).join("\n"));
    process.exitCode = 1;
  }
}
