// Shared by the plugin tests: descriptor sets, in-process plugin runs, real
// protoc / buf runs, and output directories under out/plugin-tests.
import { create, fromBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, FileDescriptorSetSchema, type CodeGeneratorResponse, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { plugin } from "../../plugin/index.js";
import { tsProtoBackend } from "../../plugin/messages/ts-proto.js";
import type { TsProtoOptions } from "../../plugin/messages/ts-proto-options.js";
import { root } from "./corpus.js";

export { root };
export const protosDir = join(root, "protos");
export const bufBin = join(root, "node_modules/.bin/buf");
export const safestubBin = join(root, "bin/protoc-gen-safestub");
export const tsProtoBin = join(root, "node_modules/.bin/protoc-gen-ts_proto");
export const protocGenEsBin = join(root, "node_modules/.bin/protoc-gen-es");
/** PATH with node_modules/.bin first, so buf finds protoc-gen-ts_proto as `npm run` would. */
export const envWithBin = { ...process.env, PATH: `${join(root, "node_modules/.bin")}:${process.env.PATH ?? ""}` };

/** The ts-proto backend's options from `key=value` strings, parsed as the plugin parses them; throws on a key it does not own. */
export function parseTsProtoOptions(pairs: string[]): TsProtoOptions {
  const options = tsProtoBackend.defaultOptions();
  for (const pair of pairs) {
    const key = pair.slice(0, pair.indexOf("="));
    if (!tsProtoBackend.parseOption(options, key, pair.slice(pair.indexOf("=") + 1))) throw new Error(`not a ts-proto option: ${key}`);
  }
  return options;
}

/** The example protos and every edge-case proto, as paths under protos/. */
export const exampleProtos = ["helloworld.proto", "route_guide.proto", "echo.proto"];
export const editionsProtos = ["edge/editions/editions.proto"];
export function edgeProtos(): string[] {
  return listFiles(join(protosDir, "edge"), ".proto").map((p) => `edge/${p}`);
}

/** A fresh, empty directory under out/plugin-tests (inside the repo, so `safestub` and node_modules resolve). */
export function freshDir(name: string): string {
  const dir = join(root, "out/plugin-tests", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Files below `dir` ending in `suffix`, relative to `dir`, sorted. */
export function listFiles(dir: string, suffix = ""): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(suffix)) out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

export function run(command: string, args: string[], options: { cwd?: string; input?: Uint8Array | string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd: options.cwd ?? root, input: options.input, env: options.env ?? envWithBin, encoding: "utf8", timeout: 120_000 });
}

/** A descriptor set (with imports and source info) of the given files under protos/, built by buf. */
export function bufImage(paths: string[], name: string): FileDescriptorProto[] {
  const out = join(freshDir(`images/${name}`), "image.binpb");
  const r = run(bufBin, ["build", "protos", ...paths.flatMap((p) => ["--path", `protos/${p}`]), "-o", out]);
  if (r.status !== 0) throw new Error(`buf build failed: ${r.stderr}`);
  return fromBinary(FileDescriptorSetSchema, readFileSync(out)).file;
}

/** Runs the plugin in-process, as protoc would call it. */
export function runInProcess(protoFile: FileDescriptorProto[], fileToGenerate: string[], parameter: string): CodeGeneratorResponse {
  return plugin.run(create(CodeGeneratorRequestSchema, { fileToGenerate, parameter, protoFile }));
}

export function writeTree(dir: string, files: { name: string; content: string }[]): void {
  for (const f of files) {
    const p = join(dir, f.name);
    mkdirSync(join(p, ".."), { recursive: true });
    writeFileSync(p, f.content);
  }
}

export const tsProtoOptions = ["outputServices=false", "esModuleInterop=true", "importSuffix=.js", "env=node", "outputJsonMethods=false"];
/** protoc-gen-es's options beside safestub's `import_extension=js,messages=protobuf-es`. */
export const protocGenEsOptions = ["target=ts", "import_extension=js"];

/** The message plugins, by the name safestub's `messages` option gives them: the plugin name protoc and buf run. */
const messagePluginNames = { "ts-proto": "ts_proto", "protobuf-es": "es" } as const;
export type Messages = keyof typeof messagePluginNames;

/** `buf generate` of `paths` (under `inputDir`, protos/ by default) with the message plugin (ts-proto by default) and safestub into `out`, through a buf.gen.yaml v2. */
export function bufGenerate(out: string, paths: string[], messagesOpts: string[], safestubOpts: string[], messages: Messages = "ts-proto", inputDir = "protos"): SpawnSyncReturns<string> {
  const yaml = [
    "version: v2",
    "inputs:",
    `  - directory: ${JSON.stringify(inputDir)}`,
    "    paths:",
    ...paths.map((p) => `      - ${JSON.stringify(`${inputDir}/${p}`)}`),
    "plugins:",
    `  - local: protoc-gen-${messagePluginNames[messages]}`,
    `    out: ${JSON.stringify(out)}`,
    "    strategy: all",
    `    opt: ${JSON.stringify(messagesOpts)}`,
    `  - local: [${JSON.stringify(process.execPath)}, ${JSON.stringify(safestubBin)}]`,
    `    out: ${JSON.stringify(out)}`,
    "    strategy: all",
    `    opt: ${JSON.stringify(safestubOpts)}`,
    "",
  ].join("\n");
  const template = join(out, "..", `${out.split("/").pop()}.buf.gen.yaml`);
  writeFileSync(template, yaml);
  return run(bufBin, ["generate", "--template", template]);
}

/** protoc with the message plugin (ts-proto by default) and safestub into `out` (Debian's protoc 3.21, WKTs from /usr/include). */
export function protocGenerate(out: string, paths: string[], messagesOpts: string[], safestubOpts: string[], messages: Messages = "ts-proto"): SpawnSyncReturns<string> {
  const name = messagePluginNames[messages];
  return run("protoc", [
    "-I",
    "protos",
    "-I",
    "/usr/include",
    `--plugin=protoc-gen-${name}=${messages === "ts-proto" ? tsProtoBin : protocGenEsBin}`,
    `--${name}_out=${out}`,
    `--${name}_opt=${messagesOpts.join(",")}`,
    `--plugin=protoc-gen-safestub=${safestubBin}`,
    `--safestub_out=${out}`,
    ...(safestubOpts.length ? [`--safestub_opt=${safestubOpts.join(",")}`] : []),
    ...paths,
  ]);
}
