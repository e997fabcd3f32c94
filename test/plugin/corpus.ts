// The Google APIs corpus (npm package google-proto-files): generate ts-proto
// messages and safestub services for every file with services in a slice,
// then type-check the safestub output against the ts-proto output.
//
// Used by corpus.test.ts (a deterministic slice) and runnable for the whole
// corpus: `npm run corpus` (= tsx test/plugin/corpus.ts --all; see the CLI at the end).
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

export type MessagesName = "ts-proto" | "protobuf-es";

/** A message plugin safestub pairs with: its bin, its parameter, and safestub's parameter beside it. */
export interface MessagePlugin {
  name: MessagesName;
  command: string;
  parameter: string;
  safestubParameter: string;
  /**
   * ts-proto also writes the files the targets import (emitImportedFiles); protoc-gen-es writes only
   * the files to generate, so it is asked for the imports too, as buf's `include_imports: true` does.
   */
  needsImports: boolean;
}

export const messagePlugins: Record<MessagesName, MessagePlugin> = {
  "ts-proto": { name: "ts-proto", command: bin("protoc-gen-ts_proto"), parameter: tsProtoParameter, safestubParameter, needsImports: false },
  "protobuf-es": {
    name: "protobuf-es",
    command: bin("protoc-gen-es"),
    parameter: "target=ts,import_extension=js",
    safestubParameter: "import_extension=js,messages=protobuf-es",
    needsImports: true,
  },
};

/**
 * The request with every file it holds to generate, except the well-known types (protobuf-es
 * imports those from @bufbuild/protobuf/wkt): what the message plugin gets when `needsImports`.
 */
export function withImports(request: Uint8Array): Uint8Array {
  const req = fromBinary(CodeGeneratorRequestSchema, request);
  req.fileToGenerate = req.protoFile.map((f) => f.name).filter((name) => !name.startsWith("google/protobuf/"));
  return toBinary(CodeGeneratorRequestSchema, req);
}

/** The message plugin's run on a slice's request (with its imports when the plugin needs them). */
export function runMessagePlugin(messages: MessagePlugin, request: Uint8Array): PluginRun {
  return runPluginBinary(messages.command, [], messages.needsImports ? withImports(request) : request, messages.parameter);
}

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

/** The slice corpus.test.ts and protobuf-es-names.test.ts run: core APIs plus a few Cloud products, about a hundred files with services. */
export const sliceDirs = [
  "google/api",
  "google/bigtable",
  "google/bytestream",
  "google/datastore",
  "google/devtools",
  "google/example",
  "google/firestore",
  "google/iam",
  "google/logging",
  "google/longrunning",
  "google/monitoring",
  "google/pubsub",
  "google/spanner",
  "google/storage",
  "google/cloud/kms",
  "google/cloud/tasks",
  "google/cloud/language",
  "grafeas/v1",
];

export interface Slice {
  /** Files with services to generate, in image order. */
  targets: string[];
  services: number;
  methods: number;
  /** The request given to both plugins. */
  request: Uint8Array;
}

/** A CodeGeneratorRequest for every file with services whose name starts with one of the prefixes ("" = all). */
export function sliceRequest(files: FileDescriptorProto[], prefixes: string[], parameter = "", include: (name: string) => boolean = () => true): Slice {
  const byName = new Map(files.map((f) => [f.name, f]));
  const targets = files.filter((f) => f.service.length > 0 && prefixes.some((p) => f.name.startsWith(p)) && include(f.name));
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
        compilerOptions: { noEmit: true, skipLibCheck: true, paths: { safestub: [`${toRoot}/runtime/index.ts`], "safestub/protobuf-es": [`${toRoot}/runtime/protobuf-es/index.ts`] } },
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
  /** The message plugin's run (ts-proto or protoc-gen-es). */
  messages: { plugin: MessagesName; ms: number; files: number; bytes: number };
  safestub: { ms: number; files: number; bytes: number };
  tsc: TscRun & { compiler: string };
}

/** Generates and type-checks, into `dir`, every file with services under `dirs` (all of the corpus if empty). */
export function runCorpus(dirs: string[], dir: string, compiler: "5" | "7" = "7", messages: MessagePlugin = messagePlugins["ts-proto"]): CorpusReport {
  const files = corpusImage(dirs);
  const prefixes = dirs.length === 0 ? [""] : dirs.map((d) => `${d.replace(/\/$/, "")}/`);
  const slice = sliceRequest(files, prefixes);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const generated = runMessagePlugin(messages, slice.request);
  const safestub = runPluginBinary(process.execPath, [join(root, "bin/protoc-gen-safestub")], slice.request, messages.safestubParameter);
  writeFiles(dir, generated.files);
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
    messages: { plugin: messages.name, ...size(generated) },
    safestub: size(safestub),
    tsc: { ...tsc, ms: Math.round(tsc.ms), compiler: compiler === "7" ? "tsc 7 (native)" : "tsc 5.9" },
  };
}

/**
 * Batches of whole API directories (`google/cloud/kms`, or per version such
 * as `google/ads/googleads/v20` when a directory alone is too big), about
 * `size` files with services each, so memory stays bounded on the full corpus.
 */
export function batches(targets: string[], size: number): string[][] {
  const groupOf = (name: string, depth: number) => name.split("/").slice(0, depth).join("/");
  const byDir = new Map<string, string[]>();
  for (const t of [...targets].sort()) byDir.set(groupOf(t, 3), [...(byDir.get(groupOf(t, 3)) ?? []), t]);
  const groups: string[][] = [];
  for (const files of byDir.values()) {
    if (files.length <= size) groups.push(files);
    else {
      const sub = new Map<string, string[]>();
      for (const t of files) sub.set(groupOf(t, 4), [...(sub.get(groupOf(t, 4)) ?? []), t]);
      groups.push(...sub.values());
    }
  }
  const out: string[][] = [];
  for (const g of groups) {
    const last = out[out.length - 1];
    if (last && last.length + g.length <= size) last.push(...g);
    else out.push([...g]);
  }
  return out;
}

export interface FullReport {
  batches: number;
  targets: number;
  services: number;
  methods: number;
  messages: MessagesName;
  messagesMs: number;
  safestubMs: number;
  tscMs: number;
  tscErrors: number;
  messagesBytes: number;
  safestubBytes: number;
  compiler: string;
}

/** The whole corpus, batch by batch (see batches): generation and tsc times are summed. */
export function runFullCorpus(dir: string, compiler: "5" | "7", size = 100, log: (line: string) => void = console.log, messages: MessagePlugin = messagePlugins["ts-proto"], prefixes: string[] = [""]): FullReport {
  const files = corpusImage();
  const all = files.filter((f) => f.service.length > 0 && prefixes.some((p) => f.name.startsWith(p))).map((f) => f.name);
  const plan = batches(all, size);
  const total: FullReport = { batches: plan.length, targets: 0, services: 0, methods: 0, messages: messages.name, messagesMs: 0, safestubMs: 0, tscMs: 0, tscErrors: 0, messagesBytes: 0, safestubBytes: 0, compiler };
  plan.forEach((targets, i) => {
    const set = new Set(targets);
    const slice = sliceRequest(files, [""], "", (name) => set.has(name));
    const batchDir = join(dir, `batch-${String(i).padStart(2, "0")}`);
    rmSync(batchDir, { recursive: true, force: true });
    mkdirSync(batchDir, { recursive: true });
    const generated = runMessagePlugin(messages, slice.request);
    const safestub = runPluginBinary(process.execPath, [join(root, "bin/protoc-gen-safestub")], slice.request, messages.safestubParameter);
    writeFiles(batchDir, generated.files);
    writeFiles(batchDir, safestub.files);
    const tsc = typecheck(batchDir, safestub.files.map((f) => f.name), compiler);
    total.targets += slice.targets.length;
    total.services += slice.services;
    total.methods += slice.methods;
    total.messagesMs += Math.round(generated.ms);
    total.safestubMs += Math.round(safestub.ms);
    total.tscMs += Math.round(tsc.ms);
    total.tscErrors += tsc.errors;
    total.messagesBytes += generated.files.reduce((n, f) => n + f.content.length, 0);
    total.safestubBytes += safestub.files.reduce((n, f) => n + f.content.length, 0);
    log(
      `batch ${i + 1}/${plan.length} ${targets[0]} .. ${targets[targets.length - 1]}: ${targets.length} files, ${messages.name} ${Math.round(generated.ms)} ms, safestub ${Math.round(safestub.ms)} ms, tsc ${Math.round(tsc.ms)} ms, ${tsc.errors} errors`,
    );
    if (tsc.errors > 0) log(tsc.output.split("\n").slice(0, 20).join("\n"));
    else rmSync(batchDir, { recursive: true, force: true }); // keep only failing batches on disk
  });
  return total;
}

// CLI: tsx test/plugin/corpus.ts [--tsc5] [--protobuf-es] [--all | --single | dir...]   (dir like google/api)
//   --all          the whole corpus in batches of about 100 files with services
//   --single       the whole corpus in one request per plugin (needs >10 GB of memory for ts-proto)
//   --protobuf-es  protoc-gen-es messages (messages=protobuf-es) instead of ts-proto
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const compiler = args.includes("--tsc5") ? "5" : "7";
  const messages = messagePlugins[args.includes("--protobuf-es") ? "protobuf-es" : "ts-proto"];
  const dirs = args.filter((a) => !a.startsWith("--"));
  if (dirs.length === 0 && !args.includes("--single")) {
    const report = runFullCorpus(join(root, "out/corpus/all"), compiler, 100, console.log, messages);
    console.log(JSON.stringify(report, null, 2));
    if (report.tscErrors > 0) process.exitCode = 1;
  } else {
    const report = runCorpus(dirs, join(root, dirs.length === 0 ? "out/corpus/single" : "out/corpus/slice"), compiler, messages);
    const { output, ...tsc } = report.tsc;
    console.log(JSON.stringify({ ...report, tsc }, null, 2));
    if (report.tsc.errors > 0) {
      console.log(output.split("\n").slice(0, 40).join("\n"));
      process.exitCode = 1;
    }
  }
}
