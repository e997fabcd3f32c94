// Bundles each stack (and the server) into one ESM file under bench/dist/ with esbuild, so that every
// child runs plain node (no loader in the RSS figures) and protobuf-ts's extensionless imports resolve.
// Packages stay external. "safestub" resolves to the published runtime package, packages/safestub
// (npm run build), as in users' node_modules: bench/dist/node_modules/safestub links to it, and
// bench/dist/package.json (no name) keeps Node from resolving "safestub" to this repository's own
// package (the dev workspace's self-reference, one ES module per source file).
import { build } from "esbuild";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL("..", import.meta.url));

let distReady = false;

/** bench/dist/ as a directory of its own whose "safestub" is packages/safestub (once per process). */
function prepareDist(): void {
  if (distReady) return;
  const modules = `${benchDir}dist/node_modules`;
  mkdirSync(modules, { recursive: true });
  writeFileSync(`${benchDir}dist/package.json`, `${JSON.stringify({ private: true, type: "module" })}\n`);
  if (!existsSync(`${modules}/safestub`)) symlinkSync("../../../packages/safestub", `${modules}/safestub`, "dir");
  if (!existsSync(`${modules}/safestub/dist/cjs/runtime/index.js`)) throw new Error("packages/safestub is not built: run `npm run build` first");
  distReady = true;
}

export async function bundleEntry(name: string, contents: string): Promise<string> {
  prepareDist();
  const outfile = `${benchDir}dist/${name}.mjs`;
  await build({
    stdin: { contents, resolveDir: benchDir, sourcefile: `${name}-entry.ts`, loader: "ts" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    // No tsconfig paths: "safestub" must stay a package import (dist/runtime, what users run), not runtime/*.ts.
    tsconfigRaw: {},
    outfile,
    logLevel: "warning",
  });
  return outfile;
}

export function bundleStack(module: string): Promise<string> {
  return bundleEntry(`stack-${module}`, `import { createStack } from "./stacks/${module}.ts";\nimport { runChild } from "./child.ts";\nawait runChild(createStack);\n`);
}

/** A bench server (bench/servers/<name>.ts): grpcjs is the one every client stack talks to. */
export function bundleServer(name = "grpcjs"): Promise<string> {
  return bundleEntry(`server-${name}`, `import "./servers/${name}.ts";\n`);
}
