// The codegen bench: protoc with each generator on Google APIs protos from google-proto-files, then
// `tsc --noEmit` on each output, timing wall clock and peak memory with /usr/bin/time.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const root = fileURLToPath(new URL("..", import.meta.url));
const protoRoot = `${root}node_modules/google-proto-files/`;
const bin = `${root}node_modules/.bin/`;

export type Corpus = "quick" | "small" | "full";

/**
 * One measured command: wall seconds, CPU seconds (user + system, the command and its children: steadier
 * than wall time on a shared machine) and peak RSS of the largest process (protoc or its plugin).
 */
export interface Measure {
  seconds: number;
  cpuSeconds: number;
  peakMB: number;
  ok: boolean;
  note?: string;
  /** How many runs the figures are the median of (short commands run 3 times). */
  runs?: number;
  /** tsc --extendedDiagnostics: the checker's work, which does not depend on how busy the machine is. */
  types?: number;
  instantiations?: number;
}

export interface CodegenRun {
  corpus: Corpus;
  startedAt: string;
  directories: string[];
  files: number;
  filesWithImports: number;
  services: number;
  rpcs: number;
  generate: Record<string, Measure & { outputFiles: number }>;
  typecheck: Record<string, Record<string, Measure>>;
}

/** google/cloud/<api>/v1 directories: all for "full", every 16th for "small", one for "quick". */
function corpusDirectories(corpus: Corpus): string[] {
  const cloud = `${protoRoot}google/cloud/`;
  const all = readdirSync(cloud)
    .filter((api) => {
      try {
        return readdirSync(`${cloud}${api}/v1`).some((f) => f.endsWith(".proto"));
      } catch {
        return false;
      }
    })
    .sort()
    .map((api) => `google/cloud/${api}/v1`);
  if (corpus === "full") return all;
  if (corpus === "quick") return ["google/cloud/workflows/v1"];
  return all.filter((_, i) => i % 16 === 0);
}

function measure(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Measure {
  const timeFile = `${root}bench/out/.time`;
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S %M", "-o", timeFile, command, ...args], { cwd: root, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const [seconds, user, system, kib] = execFileSync("tail", ["-n", "1", timeFile], { encoding: "utf8" }).trim().split(" ").map(Number);
  const ok = r.status === 0;
  const output = `${r.stdout}${r.stderr}`.trim();
  const m: Measure = { seconds: seconds ?? NaN, cpuSeconds: (user ?? NaN) + (system ?? NaN), peakMB: ((kib ?? NaN) * 1024) / 1e6, ok };
  if (!ok) m.note = output.split("\n").filter((l) => !/^[A-Z][A-Za-z ]+:\s/.test(l)).slice(0, 3).join(" | ").slice(0, 300);
  const diagnostic = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(output)?.[1] ?? NaN);
  if (args.includes("--extendedDiagnostics")) {
    m.types = diagnostic("Types");
    m.instantiations = diagnostic("Instantiations");
  }
  return m;
}

/** Commands that take under 30 s run 3 times (median wall and CPU, max memory): they are the most exposed to a busy machine. */
function measureShort(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Measure {
  const runs = [measure(command, args, env)];
  while (runs.length < 3 && runs[0]!.seconds < 30) runs.push(measure(command, args, env));
  const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const failed = runs.find((r) => !r.ok);
  return {
    seconds: mid(runs.map((r) => r.seconds)),
    cpuSeconds: mid(runs.map((r) => r.cpuSeconds)),
    peakMB: Math.max(...runs.map((r) => r.peakMB)),
    ok: !failed,
    ...(failed?.note ? { note: failed.note } : {}),
    runs: runs.length,
    ...(runs[0]!.types !== undefined ? { types: runs[0]!.types, instantiations: runs[0]!.instantiations! } : {}),
  };
}

function countFiles(dir: string, suffix: string): number {
  return (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(suffix)).length;
}

const TS_PROTO_OPTIONS = "esModuleInterop=true,importSuffix=.js,env=node,outputJsonMethods=false";

/**
 * The generators: name -> protoc arguments (before the file list). ts-proto writes the imported files
 * itself; protoc-gen-es gets them on the command line (`withImports`, WKTs excepted: they come from
 * @bufbuild/protobuf), protobuf-ts through its generate_dependencies option.
 */
function generators(out: string): Record<string, string[]> {
  return {
    "protoc alone (parse, no plugin)": ["-o", "/dev/null"],
    safestub: [`--plugin=protoc-gen-safestub=${root}bin/protoc-gen-safestub`, `--safestub_out=import_extension=js:${out}safestub`],
    "safestub (messages=protobuf-es)": [`--plugin=protoc-gen-safestub=${root}bin/protoc-gen-safestub`, `--safestub_out=import_extension=js,messages=protobuf-es:${out}safestub-es`],
    "ts-proto messages (outputServices=false)": [`--plugin=protoc-gen-ts_proto=${bin}protoc-gen-ts_proto`, `--ts_proto_out=${out}messages`, `--ts_proto_opt=outputServices=false,${TS_PROTO_OPTIONS}`],
    "ts-proto outputServices=grpc-js": [`--plugin=protoc-gen-ts_proto=${bin}protoc-gen-ts_proto`, `--ts_proto_out=${out}tsproto-grpcjs`, `--ts_proto_opt=outputServices=grpc-js,${TS_PROTO_OPTIONS}`],
    "protoc-gen-es v2": [`--plugin=protoc-gen-es=${bin}protoc-gen-es`, `--es_out=${out}es`, "--es_opt=target=ts,import_extension=js"],
    "protobuf-ts": [`--plugin=protoc-gen-ts=${bin}protoc-gen-ts`, `--ts_out=${out}pbts`, "--ts_opt=generate_dependencies"],
  };
}

const OUT_DIRS: Record<string, string> = {
  safestub: "safestub",
  "safestub (messages=protobuf-es)": "safestub-es",
  "ts-proto messages (outputServices=false)": "messages",
  "ts-proto outputServices=grpc-js": "tsproto-grpcjs",
  "protoc-gen-es v2": "es",
  "protobuf-ts": "pbts",
};

/** What gets type-checked: label -> directory under the corpus output. */
const CHECKS: Record<string, string> = {
  "ts-proto messages alone": "messages",
  "ts-proto messages + safestub _grpc.ts": "messages+safestub",
  "safestub _grpc.ts alone, against the messages' .d.ts": "safestub-on-dts",
  "ts-proto outputServices=grpc-js": "tsproto-grpcjs",
  "protoc-gen-es v2": "es",
  "protoc-gen-es v2 + safestub _grpc.ts (messages=protobuf-es)": "es+safestub",
};

const COMPILERS: Record<string, string> = {
  "tsc 5.9": `${root}node_modules/typescript/bin/tsc`,
  "tsc 7 (native)": `${root}node_modules/typescript7/bin/tsc`,
};

function writeTsconfig(dir: string, include = ["**/*.ts"]): void {
  const tsconfig = {
    compilerOptions: {
      strict: true,
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      esModuleInterop: true,
      skipLibCheck: true,
      noEmit: true,
      types: ["node"],
      typeRoots: [`${root}node_modules/@types`],
      paths: { safestub: [`${root}dist/runtime/index.d.ts`], "safestub/protobuf-es": [`${root}dist/runtime/protobuf-es/index.d.ts`] },
    },
    include,
  };
  writeFileSync(`${dir}/tsconfig.json`, JSON.stringify(tsconfig, null, 1));
}

export async function runCodegenBench(options: { corpus: Corpus }, log: (line: string) => void): Promise<CodegenRun> {
  const directories = corpusDirectories(options.corpus);
  const files = directories.flatMap((d) => readdirSync(`${protoRoot}${d}`).filter((f) => f.endsWith(".proto")).map((f) => `${d}/${f}`));
  const out = `${root}bench/out/codegen-${options.corpus}/`;
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const run: CodegenRun = { corpus: options.corpus, startedAt: new Date().toISOString(), directories, files: files.length, filesWithImports: 0, services: 0, rpcs: 0, generate: {}, typecheck: {} };

  execFileSync("protoc", ["-I", protoRoot, "--include_imports", "-o", `${out}corpus.pb`, ...files], { stdio: ["ignore", "ignore", "ignore"] });
  const set = fromBinary(FileDescriptorSetSchema, (await import("node:fs")).readFileSync(`${out}corpus.pb`));
  const wanted = new Set(files);
  run.filesWithImports = set.file.length;
  for (const f of set.file.filter((f) => wanted.has(f.name))) {
    run.services += f.service.length;
    run.rpcs += f.service.reduce((n, s) => n + s.method.length, 0);
  }
  log(`codegen corpus ${options.corpus}: ${files.length} files (${run.filesWithImports} with imports), ${run.services} services, ${run.rpcs} rpcs`);

  const withImports = set.file.map((f) => f.name).filter((name) => !name.startsWith("google/protobuf/"));
  for (const [name, args] of Object.entries(generators(out))) {
    const dir = OUT_DIRS[name];
    if (dir) mkdirSync(`${out}${dir}`, { recursive: true });
    const m = measureShort("protoc", ["-I", protoRoot, ...args, ...(name === "protoc-gen-es v2" ? withImports : files)], { NODE_OPTIONS: "--max-old-space-size=16384" });
    run.generate[name] = { ...m, outputFiles: dir ? countFiles(`${out}${dir}`, ".ts") : 0 };
    log(`generate ${name}: ${m.seconds} s (CPU ${m.cpuSeconds.toFixed(2)} s), ${Math.round(m.peakMB)} MB${m.ok ? "" : ` FAILED ${m.note}`}`);
  }

  // The safestub stubs are checked together with the messages they import, as a user compiles them.
  cpSync(`${out}messages`, `${out}messages+safestub`, { recursive: true });
  cpSync(`${out}safestub`, `${out}messages+safestub`, { recursive: true });
  // The protobuf-es backend's stubs with protoc-gen-es's messages, the other way a user compiles them.
  cpSync(`${out}es`, `${out}es+safestub`, { recursive: true });
  cpSync(`${out}safestub-es`, `${out}es+safestub`, { recursive: true });
  // safestub's stubs alone against declarations of the messages (emitted once, by tsc 7): what they cost
  // to check, without the noise of two full checks of the messages.
  writeTsconfig(`${out}messages`);
  const emit = measure(process.execPath, [COMPILERS["tsc 7 (native)"]!, "-p", `${out}messages/tsconfig.json`, "--noEmit", "false", "--declaration", "--emitDeclarationOnly", "--rootDir", `${out}messages`, "--outDir", `${out}safestub-on-dts`]);
  log(`tsc 7 declarations of the messages: ${emit.seconds} s${emit.ok ? "" : ` ERRORS ${emit.note}`}`);
  cpSync(`${out}safestub`, `${out}safestub-on-dts`, { recursive: true });
  for (const [label, dir] of Object.entries(CHECKS)) {
    writeTsconfig(`${out}${dir}`, dir === "safestub-on-dts" ? ["**/*_grpc.ts"] : undefined);
    run.typecheck[label] = {};
    for (const [compiler, tsc] of Object.entries(COMPILERS)) {
      const m = measureShort(process.execPath, ["--max-old-space-size=16384", tsc, "-p", `${out}${dir}/tsconfig.json`, "--extendedDiagnostics"]);
      run.typecheck[label]![compiler] = m;
      log(`${compiler} ${label}: ${m.seconds} s (CPU ${m.cpuSeconds.toFixed(2)} s), ${Math.round(m.peakMB)} MB${m.ok ? "" : ` ERRORS ${m.note}`}`);
    }
  }
  return run;
}

export function codegenMarkdown(run: CodegenRun): string[] {
  const mb = (m: Measure | undefined) => (m ? `${m.seconds.toFixed(1)} s (CPU ${(m.cpuSeconds ?? NaN).toFixed(1)} s), ${Math.round(m.peakMB).toLocaleString("en-US")} MB${m.ok ? "" : " (failed)"}${(m.runs ?? 1) > 1 ? `, median of ${m.runs}` : ""}` : "–");
  const lines = [
    `Corpus: ${run.files} \`.proto\` files in ${run.directories.length} \`google/cloud/*/v1\` directories of google-proto-files (${run.filesWithImports} with imports), ${run.services} services, ${run.rpcs} rpcs. Run started ${run.startedAt}.`,
    "",
    "Generation: one `protoc` run per generator over the whole corpus: wall time (CPU time, user + system, of protoc and the plugin), peak RSS of the largest process (protoc or the plugin).",
    "",
    "| generator | output .ts files | generate |",
    "|---|---:|---:|",
    ...Object.entries(run.generate).map(([name, m]) => `| ${name} | ${m.outputFiles || "–"} | ${mb(m)} |`),
    "",
    "Type check: `tsc --noEmit -p` (strict, NodeNext, skipLibCheck) on each output.",
    "",
    `| output | ${Object.keys(COMPILERS).join(" | ")} |`,
    `|---|${Object.keys(COMPILERS).map(() => "---:").join("|")}|`,
    ...Object.entries(run.typecheck).map(([label, byCompiler]) => `| ${label} | ${Object.keys(COMPILERS).map((c) => mb(byCompiler[c])).join(" | ")} |`),
    "",
    "Checker work (`--extendedDiagnostics`: types and instantiations created; these do not depend on how busy the machine is):",
    "",
    `| output | ${Object.keys(COMPILERS).join(" | ")} |`,
    `|---|${Object.keys(COMPILERS).map(() => "---:").join("|")}|`,
    ...Object.entries(run.typecheck).map(([label, byCompiler]) => `| ${label} | ${Object.keys(COMPILERS).map((c) => work(byCompiler[c])).join(" | ")} |`),
    "",
    ...targetLines(run),
  ];
  if (run.corpus !== "full") lines.push("", "This is a subset of the issue's 866-file corpus (`--corpus=full` runs all of it); the issue's targets are stated for the full corpus, the ratios here are indicative.");
  return lines;
}

function work(m: Measure | undefined): string {
  if (m?.types === undefined || !Number.isFinite(m.types)) return "–";
  return `${m.types.toLocaleString("en-US")} types, ${m.instantiations!.toLocaleString("en-US")} instantiations`;
}

function targetLines(run: CodegenRun): string[] {
  const lines = [`Targets (${run.corpus} corpus), on wall time and on CPU time:`, ""];
  for (const [what, pick] of [["wall", (m: Measure) => m.seconds], ["CPU", (m: Measure) => m.cpuSeconds]] as const) {
    const gen = (k: string) => (run.generate[k] ? pick(run.generate[k]!) : NaN);
    const safestub = gen("safestub");
    for (const other of ["ts-proto outputServices=grpc-js", "protoc-gen-es v2"]) {
      const ratio = safestub / gen(other);
      lines.push(`- ${ratio < 0.1 ? "met" : "**MISSED**"} (${what}): safestub generation under a tenth of ${other}: ${safestub.toFixed(1)} s vs ${gen(other).toFixed(1)} s (${ratio.toFixed(3)}×)`);
    }
    for (const compiler of Object.keys(COMPILERS)) {
      const t = (label: string) => {
        const m = run.typecheck[label]?.[compiler];
        return m ? pick(m) : NaN;
      };
      const added = t("ts-proto messages + safestub _grpc.ts") - t("ts-proto messages alone");
      const alone = t("safestub _grpc.ts alone, against the messages' .d.ts");
      const es = t("protoc-gen-es v2");
      lines.push(`- ${added < es ? "met" : "**MISSED**"} (${what}, ${compiler}): type-checking safestub's _grpc.ts adds ${added.toFixed(1)} s to the messages' check (difference of two full checks: noisy), vs protoc-gen-es's whole check ${es.toFixed(1)} s`);
      lines.push(`- ${alone < es ? "met" : "**MISSED**"} (${what}, ${compiler}): safestub's _grpc.ts checked alone against the messages' declarations: ${alone.toFixed(1)} s, vs protoc-gen-es's whole check ${es.toFixed(1)} s`);
    }
  }
  for (const [what, pick] of [["wall", (m: Measure) => m.seconds], ["CPU", (m: Measure) => m.cpuSeconds]] as const) {
    for (const compiler of Object.keys(COMPILERS)) {
      const t = (label: string) => {
        const m = run.typecheck[label]?.[compiler];
        return m ? pick(m) : NaN;
      };
      const es = t("protoc-gen-es v2 + safestub _grpc.ts (messages=protobuf-es)");
      const tsProto = t("ts-proto messages + safestub _grpc.ts");
      const ratio = es / tsProto;
      lines.push(`- ${ratio < 0.1 ? "met" : "**MISSED**"} (${what}, ${compiler}): protobuf-es + safestub type-checks in under a tenth of ts-proto + safestub: ${es.toFixed(1)} s vs ${tsProto.toFixed(1)} s (${ratio.toFixed(3)}×)`);
    }
  }
  for (const compiler of Object.keys(COMPILERS)) {
    const m = (label: string) => run.typecheck[label]?.[compiler];
    const base = m("ts-proto messages alone");
    const both = m("ts-proto messages + safestub _grpc.ts");
    if (base?.types === undefined || both?.types === undefined) continue;
    const addedTypes = both.types - base.types;
    const addedInst = both.instantiations! - base.instantiations!;
    lines.push(`- (${compiler}) safestub's _grpc.ts add ${addedTypes.toLocaleString("en-US")} types (${((100 * addedTypes) / base.types).toFixed(1)}%) and ${addedInst.toLocaleString("en-US")} instantiations (${((100 * addedInst) / base.instantiations!).toFixed(1)}%) to the messages' check; protoc-gen-es's whole check: ${work(m("protoc-gen-es v2"))}`);
  }
  return lines;
}
