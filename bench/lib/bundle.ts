// Bundles each stack (and the server) into one ESM file under bench/dist/ with esbuild, so that every
// child runs plain node (no loader in the RSS figures) and protobuf-ts's extensionless imports resolve.
// Packages stay external: "safestub" resolves to this package's dist/runtime (npm run build).
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const benchDir = fileURLToPath(new URL("..", import.meta.url));

export async function bundleEntry(name: string, contents: string): Promise<string> {
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
