// The published packages as users get them, for the tests that install them into scratch projects
// (test/package.test.ts, test/readme-setup.test.ts): `npm pack` of packages/safestub and
// packages/protoc-gen-safestub (filled by `npm run build`), child processes with a clean
// environment, and the README's fenced blocks.
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const runtimeDir = join(repoRoot, "packages/safestub");
export const generatorDir = join(repoRoot, "packages/protoc-gen-safestub");

export interface PackResult {
  name: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number; mode: number }[];
}

/** The environment for child npm/buf/node processes: no npm_* variables from an outer `npm test`, no repo bins on PATH. */
export function cleanEnv(extraPath: readonly string[] = []): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
  env.PATH = [
    ...extraPath,
    ...(process.env.PATH ?? "").split(delimiter).filter((dir) => !dir.startsWith(repoRoot.replace(/\/$/, ""))),
  ].join(delimiter);
  return env;
}

export function run(command: string, args: readonly string[], cwd: string, timeoutMs: number, env: NodeJS.ProcessEnv = cleanEnv()): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${command} ${args.join(" ")} failed in ${cwd}: ${err.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/**
 * Packs both packages into `destination`. --ignore-scripts: nothing may rebuild under the feet of
 * tests running in parallel; `npm test` builds before any test runs.
 */
export async function packPackages(destination: string): Promise<{ runtime: PackResult; generator: PackResult }> {
  for (const built of ["dist/cjs/runtime/index.js", "dist/esm/runtime/index.js"]) {
    if (!existsSync(join(runtimeDir, built))) throw new Error(`packages/safestub/${built} is missing: run \`npm run build\` first`);
  }
  if (!existsSync(join(generatorDir, "dist/plugin/index.js"))) throw new Error("packages/protoc-gen-safestub/dist is missing: run `npm run build` first");
  const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", destination, runtimeDir, generatorDir], repoRoot, 60_000);
  const [runtime, generator] = JSON.parse(stdout) as PackResult[];
  return { runtime: runtime!, generator: generator! };
}

export interface FencedBlock {
  /** 1-based line of the block's first code line. */
  line: number;
  lang: string;
  tag: string;
  code: string;
}

/** The ``` fenced blocks of README.md, in order. */
export function readmeBlocks(): FencedBlock[] {
  const lines = readFileSync(join(repoRoot, "README.md"), "utf8").split("\n");
  const blocks: FencedBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```([\w-]*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && !lines[j]!.startsWith("```")) j++;
    blocks.push({ line: i + 2, lang: open[1]!, tag: open[2]!.trim(), code: `${lines.slice(i + 1, j).join("\n")}\n` });
    i = j;
  }
  return blocks;
}

/** The README block written to `path` in a user's project (info string `<lang> file=<path>`). */
export function readmeFile(path: string): string {
  const block = readmeBlocks().find((b) => b.tag === `file=${path}`);
  if (!block) throw new Error(`README.md has no block tagged file=${path}`);
  return block.code;
}

/** The body of the first README block whose info string is `info` and whose body matches `marker`. */
export function readmeBlock(info: string, marker: RegExp): string {
  const block = readmeBlocks().find((b) => `${b.lang} ${b.tag}`.trim() === info && marker.test(b.code));
  if (!block) throw new Error(`README.md has no \`\`\`${info} block matching ${marker}`);
  return block.code;
}
