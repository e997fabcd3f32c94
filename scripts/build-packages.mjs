// Fills the two published packages from the sources, after `tsc -p tsconfig.build.json` wrote dist/
// (run by `npm run build`):
//
//   packages/safestub/              the runtime (`npm install safestub`): runtime/ and eslint/
//     dist/cjs/                     the one implementation, CommonJS: a bundle per entry point and
//                                   one of the modules they share (scripts/bundle-runtime.mjs), with
//                                   the .d.ts of every module (tsconfig.build.cjs.json); a
//                                   {"type":"commonjs"} marker makes Node and TypeScript read it as
//                                   CommonJS
//     dist/esm/                     per entry point an ES module that re-exports the CommonJS one, and
//                                   the ESM .d.ts files (from dist/): `import` and `require` load the
//                                   same classes, so RpcError instanceof, Code and the stream handles
//                                   never come in two copies in one process (safestub/protobuf-es,
//                                   functions only, is tsc's ES module itself: OWN_ES_MODULE)
//   packages/protoc-gen-safestub/   the generator (`npm install -D protoc-gen-safestub`): bin/ and
//                                   dist/plugin/*.js
//
// The runtime's entry points are the `exports` of packages/safestub/package.json, the one list: a new
// entry point goes there (an `import` and a `require` pair, both under dist/, as the others), and this
// script builds its ESM wrapper from the CommonJS module it names. test/package.test.ts checks that
// the root package.json (the dev workspace's self-reference), tsconfig.json `paths` and the vitest
// aliases name the same entry points.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleRuntime } from "./bundle-runtime.mjs";

const root = fileURLToPath(new URL("../", import.meta.url));
const runtimePackage = join(root, "packages/safestub");
const generatorPackage = join(root, "packages/protoc-gen-safestub");
const docs = ["README.md", "LICENSE"];

/**
 * Entry points shipped to `import` as tsc's ES module itself, not as a wrapper of the CommonJS bundle.
 * safestub/protobuf-es is functions over @bufbuild/protobuf and nothing of the runtime's: as a
 * wrapper it would require @bufbuild/protobuf's CommonJS build beside the ES module one that the
 * generated `_pb.ts` imports, two copies of the library in one process (about 3.5 MB of RSS in the
 * bench's protobuf-es server). Having no class, enum or state of its own, it may load twice.
 */
const OWN_ES_MODULE = new Set(["./protobuf-es"]);

await buildRuntime();
buildGenerator();

async function buildRuntime() {
  const dist = join(runtimePackage, "dist");
  rmSync(dist, { recursive: true, force: true });
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.cjs.json"), "--emitDeclarationOnly"], { stdio: "inherit" });
  writeFileSync(join(dist, "cjs/package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
  for (const dir of ["runtime", "eslint"]) {
    cpSync(join(root, "dist", dir), join(dist, "esm", dir), { recursive: true, filter: (src) => !/\.(js|js\.map)$/.test(src) });
  }
  const { exports } = JSON.parse(readFileSync(join(runtimePackage, "package.json"), "utf8"));
  const entries = Object.values(exports)
    .filter((conditions) => typeof conditions !== "string")
    .map((conditions) => relative(join(dist, "cjs"), join(runtimePackage, conditions.require.default)));
  await bundleRuntime(join(root, "dist"), join(dist, "cjs"), entries);
  const require = createRequire(import.meta.url);
  for (const [subpath, conditions] of Object.entries(exports)) {
    if (typeof conditions === "string") continue; // ./package.json
    const esm = join(runtimePackage, conditions.import.default);
    const cjs = join(runtimePackage, conditions.require.default);
    if (OWN_ES_MODULE.has(subpath)) writeFileSync(esm, ownEsModule(subpath, join(root, "dist", relative(join(dist, "esm"), esm))));
    else writeFileSync(esm, esmWrapper(subpath, relative(dirname(esm), cjs), Object.keys(require(cjs))));
  }
  for (const doc of docs) copyFileSync(join(root, doc), join(runtimePackage, doc));
}

/** tsc's ES module output of an OWN_ES_MODULE entry point, checked to import packages only. */
function ownEsModule(subpath, file) {
  const source = readFileSync(file, "utf8").replace(/\n\/\/# sourceMappingURL=.*\n?$/, "\n");
  // `from "./…"`, `import "./…"` and `import("./…")`: any module of the runtime.
  const relativeImport = /(?:\bfrom|\bimport)\s*\(?\s*["']\.{1,2}\//.exec(source);
  if (relativeImport) throw new Error(`safestub${subpath.slice(1)} imports a module of the runtime (${relativeImport[0].trim()}): it cannot be its own ES module`);
  return source;
}

/** An ES module that exports what the CommonJS module exports, by name (default included). */
function esmWrapper(subpath, cjsPath, names) {
  const named = names.filter((n) => n !== "default" && n !== "__esModule");
  const lines = [
    `// safestub${subpath.slice(1)} for \`import\`: the CommonJS build is the implementation (scripts/build-packages.mjs).`,
    `import cjs from ${JSON.stringify(cjsPath.replaceAll("\\", "/"))};`,
  ];
  if (named.length > 0) lines.push(`export const { ${named.join(", ")} } = cjs;`);
  if (names.includes("default")) lines.push("export default cjs.default;");
  return `${lines.join("\n")}\n`;
}

function buildGenerator() {
  rmSync(join(generatorPackage, "dist"), { recursive: true, force: true });
  rmSync(join(generatorPackage, "bin"), { recursive: true, force: true });
  cpSync(join(root, "dist/plugin"), join(generatorPackage, "dist/plugin"), { recursive: true, filter: (src) => !/\.(d\.ts|js\.map)$/.test(src) });
  mkdirSync(join(generatorPackage, "bin"));
  copyFileSync(join(root, "bin/protoc-gen-safestub"), join(generatorPackage, "bin/protoc-gen-safestub"));
  chmodSync(join(generatorPackage, "bin/protoc-gen-safestub"), 0o755);
  for (const doc of docs) copyFileSync(join(root, doc), join(generatorPackage, doc));
}
