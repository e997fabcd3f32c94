// What the reflection descriptors cost at generation: `protoc --safestub_out` over the Codegen
// section's corpus (google-proto-files, every google/cloud/*/v1 directory), with the plugin option
// reflection=true (the default) and reflection=false, runs interleaved. Writes the "Reflection
// descriptors" section of bench/RESULTS.md.
//   npm run build && node --import tsx bench/reflection-cost.ts [--runs=5] [--with-ts-proto]
// --with-ts-proto also generates ts-proto's messages for the same files (about 100 s, 5 GB) into
// bench/out/reflection-cost/tsproto, whose size the section then states for scale; a later run
// without the flag reuses that output.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { writeSection } from "./lib/results-file.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const protoRoot = join(root, "node_modules/google-proto-files");
const out = join(root, "bench/out/reflection-cost");
const withTsProto = process.argv.includes("--with-ts-proto");
const runs = Number(process.argv.find((a) => a.startsWith("--runs="))?.slice("--runs=".length) ?? 5);

const cloud = join(protoRoot, "google/cloud");
const directories = readdirSync(cloud)
  .filter((api) => {
    try {
      return readdirSync(join(cloud, api, "v1")).some((f) => f.endsWith(".proto"));
    } catch {
      return false;
    }
  })
  .sort()
  .map((api) => `google/cloud/${api}/v1`);
const files = directories.flatMap((d) => readdirSync(join(protoRoot, d)).filter((f) => f.endsWith(".proto")).map((f) => `${d}/${f}`));

interface Run {
  seconds: number;
  cpuSeconds: number;
  peakMB: number;
}

/** One protoc run with safestub only, timed by /usr/bin/time (wall, user + system of protoc and the plugin, peak RSS of the largest). */
function generate(reflection: boolean): Run {
  const dir = join(out, reflection ? "on" : "off");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const timeFile = join(out, ".time");
  const r = spawnSync(
    "/usr/bin/time",
    [
      "-f", "%e %U %S %M", "-o", timeFile,
      "protoc", "-I", protoRoot,
      `--plugin=protoc-gen-safestub=${join(root, "bin/protoc-gen-safestub")}`,
      `--safestub_out=${dir}`, `--safestub_opt=import_extension=js,reflection=${reflection}`,
      ...files,
    ],
    { cwd: root, encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`protoc failed: ${r.stderr}`);
  const [seconds, user, system, kib] = readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  return { seconds: seconds!, cpuSeconds: user! + system!, peakMB: (kib! * 1024) / 1e6 };
}

/** The .ts files written under `dir`: count, bytes, gzip'd bytes of all of them together, and bytes per file. */
function sizes(dir: string) {
  const paths: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".ts")) paths.push(p);
    }
  };
  walk(dir);
  const contents = paths.sort().map((p) => readFileSync(p));
  return {
    files: paths.length,
    bytes: contents.reduce((n, c) => n + c.length, 0),
    gzipBytes: gzipSync(Buffer.concat(contents)).length,
    perFile: new Map(paths.map((p, i) => [relative(dir, p), contents[i]!.length])),
  };
}

/** ts-proto's messages for the same files, with the options of the project's buf.gen.yaml. */
function generateTsProto(): void {
  const dir = join(out, "tsproto");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const options = "outputServices=false,esModuleInterop=true,importSuffix=.js,env=node,outputJsonMethods=false";
  const r = spawnSync("protoc", ["-I", protoRoot, `--plugin=protoc-gen-ts_proto=${join(root, "node_modules/.bin/protoc-gen-ts_proto")}`, `--ts_proto_out=${dir}`, `--ts_proto_opt=${options}`, ...files], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "--max-old-space-size=12288" },
  });
  if (r.status !== 0) throw new Error(`protoc (ts-proto) failed: ${r.stderr}`);
}

/** The embedded descriptors in `dir`'s files: base64 bytes in all, and of distinct file names only. */
function embedded(dir: string) {
  let total = 0;
  const distinct = new Map<string, number>();
  for (const name of sizes(dir).perFile.keys()) {
    for (const m of readFileSync(join(dir, name), "utf8").matchAll(/^ {6}"([^"]+)": "([A-Za-z0-9+/=]+)",$/gm)) {
      total += m[2]!.length;
      distinct.set(m[1]!, m[2]!.length);
    }
  }
  return { total, distinct: [...distinct.values()].reduce((a, b) => a + b, 0), files: distinct.size };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const kb = (bytes: number) => `${(bytes / 1e3).toFixed(1)} kB`;

mkdirSync(out, { recursive: true });
const startedAt = new Date().toISOString();
const protocVersion = execFileSync("protoc", ["--version"], { encoding: "utf8" }).trim();
const timings: Record<"on" | "off", Run[]> = { on: [], off: [] };
generate(true); // warm the page cache and node's compile cache
for (let i = 0; i < runs; i++) {
  for (const reflection of i % 2 === 0 ? [true, false] : [false, true]) timings[reflection ? "on" : "off"].push(generate(reflection));
  console.log(`run ${i + 1}/${runs}: on ${timings.on.at(-1)!.seconds} s, off ${timings.off.at(-1)!.seconds} s`);
}
if (withTsProto) generateTsProto();
const tsProto = existsSync(join(out, "tsproto")) ? sizes(join(out, "tsproto")) : undefined;
const on = sizes(join(out, "on"));
const descriptors = embedded(join(out, "on"));
const off = sizes(join(out, "off"));
const added = [...on.perFile].map(([name, bytes]) => ({ name, added: bytes - (off.perFile.get(name) ?? 0) })).sort((a, b) => a.added - b.added);
const summary = (r: Run[]) => ({ seconds: median(r.map((x) => x.seconds)), cpuSeconds: median(r.map((x) => x.cpuSeconds)), peakMB: Math.max(...r.map((x) => x.peakMB)) });
const t = { on: summary(timings.on), off: summary(timings.off) };
const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(0)}%`;

const lines = [
  `Corpus: the Codegen section's, ${files.length} \`.proto\` files in ${directories.length} \`google/cloud/*/v1\` directories of google-proto-files; ${on.files} \`_grpc.ts\` files written. One \`protoc --safestub_out\` run (${protocVersion}) per setting, median of ${runs} interleaved runs (memory: the largest). Run started ${startedAt}.`,
  "",
  "| `reflection=` | generate, wall | CPU (protoc + plugin) | peak RSS | output | gzip'd together |",
  "|---|---:|---:|---:|---:|---:|",
  `| false | ${t.off.seconds.toFixed(2)} s | ${t.off.cpuSeconds.toFixed(2)} s | ${t.off.peakMB.toFixed(0)} MB | ${mb(off.bytes)} | ${mb(off.gzipBytes)} |`,
  `| true (default) | ${t.on.seconds.toFixed(2)} s | ${t.on.cpuSeconds.toFixed(2)} s | ${t.on.peakMB.toFixed(0)} MB | ${mb(on.bytes)} | ${mb(on.gzipBytes)} |`,
  `| difference | ${pct(t.on.seconds, t.off.seconds)} | ${pct(t.on.cpuSeconds, t.off.cpuSeconds)} | | +${mb(on.bytes - off.bytes)} (${pct(on.bytes, off.bytes)}) | +${mb(on.gzipBytes - off.gzipBytes)} (${pct(on.gzipBytes, off.gzipBytes)}) |`,
  "",
  `Added per \`_grpc.ts\`: median ${kb(median(added.map((a) => a.added)))}, smallest ${kb(added[0]!.added)}, largest ${kb(added.at(-1)!.added)} (${added.at(-1)!.name}). Each file embeds its own descriptor and its imports' (google/api/*.proto, google/longrunning, google/rpc, google/type, its API's other files): the imports repeat in every file that needs them. Serialized descriptors in base64 compress far less than code, so the gzip'd output grows more, in ratio, than the plain one. The well-known types are not embedded (the runtime has them from @bufbuild/protobuf/wkt).`,
  "",
  `Embedded: ${mb(descriptors.total)} of base64 descriptors, ${mb(descriptors.distinct)} of them distinct (${descriptors.files} distinct files); the rest is imports repeated across files.`,
  ...(tsProto
    ? ["", `For scale: ts-proto's messages for the same files (the project's buf.gen.yaml options) are ${tsProto.files} files, ${mb(tsProto.bytes)} (${mb(tsProto.gzipBytes)} gzip'd); with them, reflection adds ${pct(tsProto.bytes + on.bytes, tsProto.bytes + off.bytes)} to the whole generated tree.`]
    : []),
];
writeSection("Reflection descriptors", lines);
console.log(lines.join("\n"));
