// `node --import tsx bench/load-cost.ts`: what loading safestub's runtime costs a process, as the
// published package ships it (packages/safestub: one CommonJS bundle per entry point plus shared.js,
// scripts/bundle-runtime.mjs) against the same runtime as one CommonJS file per module (tsc's output
// of tsconfig.build.cjs.json, built here into bench/out/per-module/) and against its dependencies
// alone (@grpc/grpc-js and @bufbuild/protobuf/wire, which every ts-proto grpc-js program loads).
// Each figure is a fresh `node` process: the time `require()` of the runtime takes after its
// dependencies loaded (`import()` in an ES module program, which imports all three), and the
// process's RSS after a full GC. Median (min–max) of --runs (default 15) processes per variant,
// variants interleaved. Writes the "Load" section of bench/RESULTS.md.
import { execFileSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { writeSection } from "./lib/results-file.js";
import { spread, type Spread } from "./lib/stats.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const runs = Number(process.argv.find((a) => a.startsWith("--runs="))?.split("=")[1] ?? 15);
const published = `${root}packages/safestub/dist/cjs/runtime/index.js`;
if (!existsSync(published)) throw new Error("packages/safestub is not built: run `npm run build` first");

// The runtime as one CommonJS module per source file, inside the repo so that its packages resolve.
const perModuleDir = `${root}bench/out/per-module`;
rmSync(perModuleDir, { recursive: true, force: true });
execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", `${root}tsconfig.build.cjs.json`, "--outDir", perModuleDir, "--declaration", "false"], { stdio: "inherit" });
writeFileSync(`${perModuleDir}/package.json`, `${JSON.stringify({ type: "commonjs" })}\n`);
const perModule = `${perModuleDir}/runtime/index.js`;

interface Variant {
  name: string;
  /** The module to load after the dependencies, or none. */
  runtime: string | undefined;
  /** An ES module program: the dependencies and the runtime are imported (`import()`), not required. */
  esm?: true;
}
const publishedEsm = `${root}packages/safestub/dist/esm/runtime/index.js`;
const variants: Variant[] = [
  { name: "dependencies alone (@grpc/grpc-js, @bufbuild/protobuf/wire)", runtime: undefined },
  { name: "safestub, one file per module (tsc)", runtime: perModule },
  { name: "safestub as published (bundles)", runtime: published },
  { name: "ES module program: dependencies alone (imported)", runtime: undefined, esm: true },
  { name: "ES module program: safestub as published (imported)", runtime: publishedEsm, esm: true },
];

// Run from the repo root so that the dependencies resolve from its node_modules, as the runtime's do.
// `load` is how the program loads a module: require() in CommonJS; in an ES module program, import(),
// as ts-proto's and protobuf-es's generated ES modules load @bufbuild/protobuf (its ES module build)
// and `import "safestub"` the runtime.
const probeProgram = (load: (specifier: string) => string) => `
for (const d of ["@grpc/grpc-js", "@bufbuild/protobuf/wire"]) ${load("d")};
const file = process.argv[1];
const t0 = process.hrtime.bigint();
const loaded = file ? Object.keys(${load("file")}).length : 0;
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
globalThis.gc(); globalThis.gc();
setTimeout(() => process.stdout.write(JSON.stringify({ ms, rssMB: process.memoryUsage().rss / 2 ** 20, loaded })), 200);
`;
const probe = probeProgram((specifier) => `require(${specifier})`);
const esmProbe = probeProgram((specifier) => `(await import(${specifier}))`);

const samples = new Map<string, { ms: number[]; rssMB: number[] }>(variants.map((v) => [v.name, { ms: [], rssMB: [] }]));
const loadBefore = loadavg();
for (let run = 0; run < runs; run++) {
  for (const v of variants) {
    const args = ["--expose-gc", ...(v.esm ? ["--input-type=module", "-e", esmProbe] : ["-e", probe]), ...(v.runtime ? [v.runtime] : [])];
    const out = JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: "utf8" })) as { ms: number; rssMB: number; loaded: number };
    if (v.runtime && out.loaded < 20) throw new Error(`${v.name}: only ${out.loaded} exports`);
    samples.get(v.name)!.ms.push(out.ms);
    samples.get(v.name)!.rssMB.push(out.rssMB);
  }
}

const fmt = (s: Spread, digits: number) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
const baseOf = (v: Variant) => spread(samples.get(variants.find((d) => d.runtime === undefined && d.esm === v.esm)!.name)!.rssMB).median;
const perModuleMs = spread(samples.get(variants[1]!.name)!.ms).median;
const lines = [
  `Run ${new Date().toISOString()}, ${runs} fresh processes per variant, interleaved; load average before ${loadBefore.map((l) => l.toFixed(2)).join(" ")}.`,
  "",
  "Each process requires @grpc/grpc-js and @bufbuild/protobuf/wire first, then times `require()` of the runtime's main entry point, then reads its RSS after a full GC; an ES module program imports all three instead (@bufbuild/protobuf's ES module build, as generated ES modules load it). Median (min–max).",
  "",
  "| variant | require() or import() of the runtime (ms) | RSS (MB) | RSS above the dependencies (MB) |",
  "|---|---|---|---|",
  ...variants.map((v) => {
    const ms = spread(samples.get(v.name)!.ms);
    const rss = spread(samples.get(v.name)!.rssMB);
    const time = v.runtime ? `${fmt(ms, 1)}${v.runtime === published ? `, ${(perModuleMs / ms.median).toFixed(2)}× faster than one file per module` : ""}` : "–";
    return `| ${v.name} | ${time} | ${fmt(rss, 1)} | ${v.runtime ? (rss.median - baseOf(v)).toFixed(1) : "–"} |`;
  }),
];
console.log(lines.join("\n"));
writeSection("Load", lines);
rmSync(perModuleDir, { recursive: true, force: true });
