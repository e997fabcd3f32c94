// The runtime package's CommonJS implementation as a few bundles instead of one file per module
// (called by scripts/build-packages.mjs, from tsc's ES-module output in dist/):
//
//   dist/cjs/runtime/shared.js   every module of the main entry point's graph (runtime/index.ts and
//                                all it imports), scope-hoisted into one file; it exports each
//                                module's namespace under a name of its own (runtime/core/code.ts →
//                                core_code)
//   dist/cjs/<entry>.js          per entry point, its own modules; a module it shares with the main
//                                entry point is read from shared.js, never bundled twice, so every
//                                class, enum and error exists once in a process whatever the entry
//
// Why: Node keeps a record, a source and a compiled wrapper per module it loads. The main entry
// point was 41 CommonJS modules; as one bundle it loads in about half the time and leaves the
// process about 1.5 MB smaller (bench/load-cost.ts; bench/RESULTS.md, Load), which a server with many idle streams
// and a short-lived CLI both feel. Packages stay external: users' grpc-js and protobuf are shared.
import { build } from "esbuild";
import { dirname, join, relative, resolve } from "node:path";

/** The name a shared module's namespace has in shared.js: runtime/core/code.js → core_code. */
function sharedName(esmRoot, file) {
  return relative(join(esmRoot, "runtime"), file).replace(/\.js$/, "").replace(/[^\w]/g, "_");
}

// No keepNames in shared.js, where the calls run: esbuild's keepNames redefines the `name` of every
// function it makes, closures made per call and per stream too (about 2 KB of heap per idle stream).
// Its classes are written so that they need no renaming (none names itself in its body); the
// package test checks every exported class's name.
const common = { bundle: true, platform: "node", format: "cjs", target: "node20", packages: "external", logLevel: "warning", legalComments: "none" };

/**
 * Bundles the runtime. `esmRoot` holds tsc's ES-module output (dist/), `cjsRoot` receives the
 * bundles (packages/safestub/dist/cjs), `entries` are the entry points' paths under both roots
 * ("runtime/index.js", "runtime/health/index.js", "eslint/index.js").
 */
export async function bundleRuntime(esmRoot, cjsRoot, entries) {
  const mainEntry = join(esmRoot, "runtime/index.js");
  // The main entry point's module graph: what shared.js holds.
  const graph = await build({ ...common, entryPoints: [mainEntry], write: false, metafile: true });
  const shared = Object.keys(graph.metafile.inputs)
    .map((input) => resolve(input))
    .filter((file) => file.startsWith(join(esmRoot, "runtime") + "/"));
  const sharedFile = join(cjsRoot, "runtime/shared.js");
  await build({
    ...common,
    stdin: {
      contents: shared.map((file) => `export * as ${sharedName(esmRoot, file)} from ${JSON.stringify(file)};`).join("\n"),
      resolveDir: esmRoot,
      sourcefile: "shared.js",
    },
    outfile: sharedFile,
    banner: { js: "// safestub's runtime modules, one namespace each (scripts/bundle-runtime.mjs)." },
    plugins: [plainLazyRequire(join(esmRoot, "runtime/core/protobuf-wire.js"))],
  });
  const sharedSet = new Set(shared);
  for (const entry of entries) {
    const outfile = join(cjsRoot, entry);
    const toShared = relative(dirname(outfile), sharedFile);
    const fromShared = toShared.startsWith("../") ? toShared : `./${toShared}`;
    const source = join(esmRoot, entry);
    // The main entry point is itself in shared.js: its bundle re-exports that namespace.
    const input = sharedSet.has(source) ? { stdin: { contents: `export * from ${JSON.stringify(source)};`, resolveDir: dirname(source), sourcefile: entry } } : { entryPoints: [source] };
    await build({
      ...common,
      ...input,
      outfile,
      // An entry point's own code is not on the calls' hot path; two generated clients of one name (reflection's v1 and v1alpha) keep theirs.
      keepNames: true,
      external: [fromShared],
      plugins: [readSharedModules(sharedSet, (file) => `module.exports = require(${JSON.stringify(fromShared)}).${sharedName(esmRoot, file)};`)],
    });
  }
}

/**
 * An esbuild plugin: runtime/core/protobuf-wire.js, which imports @bufbuild/protobuf/wire, becomes a
 * require() on first use (why: that module's comment). A plain require(), which the bundlers of
 * users' applications follow.
 */
function plainLazyRequire(file) {
  const contents = 'let wire;\nexport function protobufWire() {\n  return (wire ??= require("@bufbuild/protobuf/wire"));\n}\n';
  return {
    name: "safestub-plain-lazy-require",
    setup(b) {
      b.onLoad({ filter: /protobuf-wire\.js$/ }, (args) => (resolve(args.path) === file ? { contents, loader: "js" } : undefined));
    },
  };
}

/** An esbuild plugin: an import of one of `sharedSet` becomes a read of its namespace from shared.js (`load(file)`'s code). */
function readSharedModules(sharedSet, load) {
  return {
    name: "safestub-shared-modules",
    setup(b) {
      b.onResolve({ filter: /^[./]/ }, (args) => {
        const file = resolve(args.resolveDir, args.path);
        return sharedSet.has(file) ? { path: file, namespace: "safestub-shared" } : undefined;
      });
      b.onLoad({ filter: /.*/, namespace: "safestub-shared" }, (args) => ({ contents: load(args.path), loader: "js" }));
    },
  };
}
