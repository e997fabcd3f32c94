// What the reflection descriptors cost at generation: `protoc --safestub_out` over the Codegen
// section's corpus (google-proto-files, every google/cloud/*/v1 directory), with the plugin option
// reflection=true (the default) and reflection=false, runs interleaved. Writes the "Reflection
// descriptors" section of bench/RESULTS.md.
//   npm run build && node --import tsx bench/reflection-cost.ts [--runs=5]
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { writeSection } from "./lib/results-file.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const protoRoot = join(root, "node_modules/google-proto-files");
const out = join(root, "bench/out/reflection-cost");
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
const on = sizes(join(out, "on"));
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
  `Added per \`_grpc.ts\`: median ${kb(median(added.map((a) => a.added)))}, smallest ${kb(added[0]!.added)}, largest ${kb(added.at(-1)!.added)} (${added.at(-1)!.name}). Each file embeds its own descriptor and its imports' (google/api/*.proto, google/longrunning, google/rpc, google/type, its API's other files): the imports are repeated in every file that needs them, and gzip takes most of that repetition back. The well-known types are not embedded (the runtime has them from @bufbuild/protobuf/wkt).`,
];
writeSection("Reflection descriptors", lines);
console.log(lines.join("\n"));
