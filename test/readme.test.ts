// README.md code must compile or run. Every ```ts (or ```typescript) block carries a tag after the language:
//
//   ```ts check                          a complete module: type-checked with tsc against the repo. Import
//                                        the runtime as "safestub" and generated code as "./gen/<file>.js"
//                                        (e.g. "./gen/route_guide_grpc.js"); top-level await is fine.
//   ```ts run                            the same, and then run with tsx: it must exit 0 within 30 s
//                                        (start servers on 127.0.0.1:0, close what you open).
//   ```ts from=examples/route_guide.ts   a verbatim quote of whole lines of that file (indentation ignored);
//                                        test/examples.test.ts runs the examples.
//   ```ts nocheck                        a deliberate exception (API shape sketches that are not modules).
//   ```ts file=src/main.ts               a file of a user's new project ("Use it in your project"):
//                                        test/readme-setup.test.ts writes, compiles and runs it there.
//
// An untagged ts block fails the test, so no snippet can silently rot.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const readmePath = join(repoRoot, "README.md");

interface CodeBlock {
  /** 1-based README line of the block's first code line. */
  line: number;
  lang: string;
  tag: string;
  code: string;
}

/** The fenced code blocks of a Markdown document (``` and ~~~ fences, any info string). */
function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, lang, tag] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j]!.trimStart().startsWith(fence!); j++) body.push(lines[j]!.slice(Math.min(indent!.length, lines[j]!.search(/\S|$/))));
    blocks.push({ line: i + 2, lang: lang!.toLowerCase(), tag: tag!.trim(), code: body.join("\n") });
    i = j;
  }
  return blocks;
}

const isTypeScript = (b: CodeBlock) => b.lang === "ts" || b.lang === "typescript";

/** Runs a process and resolves with its exit code and output (never rejects). */
function exec(args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, args, { cwd, env, timeout: timeoutMs }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : null) : 0, output: stdout + stderr }),
    ),
  );
}

/**
 * Type-checks `check` and `run` snippets as modules next to a `gen` link to the repo's gen/, with
 * "safestub" mapped to runtime/index.ts, then runs the `run` ones with tsx. Returns the problems,
 * with snippet file names replaced by README line numbers.
 */
async function checkSnippets(snippets: readonly CodeBlock[], source: string): Promise<string[]> {
  mkdirSync(join(repoRoot, "out"), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, "out", "readme-check-"));
  try {
    symlinkSync(join(repoRoot, "gen"), join(dir, "gen"), "dir");
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: "../../tsconfig.base.json",
        compilerOptions: { noEmit: true, paths: { safestub: ["../../runtime/index.ts"], "safestub/testing": ["../../runtime/testing.ts"], "safestub/opentelemetry": ["../../runtime/opentelemetry/index.ts"], "safestub/health": ["../../runtime/health/index.ts"], "safestub/reflection": ["../../runtime/reflection/index.ts"], "safestub/protobuf-es": ["../../runtime/protobuf-es/index.ts"] } },
        include: ["snippet-*.ts"],
      }),
    );
    snippets.forEach((s, i) => writeFileSync(join(dir, `snippet-${i}.ts`), `${s.code}\nexport {};\n`));
    const tsc = await exec([join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", join(dir, "tsconfig.json")], dir, process.env, 120_000);
    const typeErrors = tsc.output
      .split("\n")
      .filter((l) => /error TS\d+/.test(l))
      .map((l) =>
        l.replace(/^.*snippet-(\d+)\.ts\((\d+),(\d+)\)/, (_m, i: string, row: string, col: string) => `${source}:${snippets[Number(i)]!.line + Number(row) - 1}:${col}`),
      );
    if (typeErrors.length > 0 || tsc.code !== 0) return typeErrors.length > 0 ? typeErrors : [`${source}: tsc failed: ${tsc.output}`];

    const failures: string[] = [];
    for (const [i, snippet] of snippets.entries()) {
      if (snippet.tag !== "run") continue;
      const env = { ...process.env, TSX_TSCONFIG_PATH: join(dir, "tsconfig.json") };
      const run = await exec(["--import", "tsx", join(dir, `snippet-${i}.ts`)], dir, env, 30_000);
      if (run.code === 0) continue;
      const lines = run.output.trim().split("\n");
      const errors = lines.filter((l) => /^\w*Error\b/.test(l));
      failures.push(`${source}:${snippet.line}: exited ${run.code ?? "on timeout"}: ${(errors.length > 0 ? errors : lines).slice(0, 3).join(" | ")}`);
    }
    return failures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Lines of `from=` quotes that are not in the quoted file, as "README.md:line: message". */
function quoteMismatches(blocks: readonly CodeBlock[], source: string): string[] {
  const problems: string[] = [];
  // Indentation is ignored so a nested part (one handler of an object) can be quoted dedented.
  const normalize = (text: string) => `\n${text.split("\n").map((l) => l.trim()).join("\n").trim()}\n`;
  for (const block of blocks) {
    const file = /^from=(\S+)$/.exec(block.tag)?.[1];
    if (!file) continue;
    const path = join(repoRoot, file);
    if (!existsSync(path)) problems.push(`${source}:${block.line}: quotes ${file}, which does not exist`);
    else if (!normalize(readFileSync(path, "utf8")).includes(normalize(block.code))) problems.push(`${source}:${block.line}: not a verbatim quote of ${file}`);
  }
  return problems;
}

function untagged(blocks: readonly CodeBlock[], source: string): string[] {
  return blocks
    .filter(isTypeScript)
    .filter((b) => !(b.tag === "check" || b.tag === "run" || b.tag === "nocheck" || /^(from|file)=\S+$/.test(b.tag)))
    .map((b) => `${source}:${b.line}: a ts block needs a tag: "check", "run", "from=<file>", "file=<path>" or "nocheck" (got ${JSON.stringify(b.tag)})`);
}

describe("README snippet checker", () => {
  const sample = [
    "# Demo",
    "```ts check",
    'import { createChannel } from "safestub";',
    'import { GreeterClient } from "./gen/helloworld_grpc.js";',
    'const client = new GreeterClient(createChannel("http://127.0.0.1:50051"));',
    'const reply: string = (await client.sayHello({ name: "x" })).message;',
    "```",
    "text",
    "```ts check",
    'import { GreeterClient } from "./gen/helloworld_grpc.js";',
    "declare const client: GreeterClient;",
    "const n: number = (await client.sayHello({ name: 1 })).message;",
    "```",
    "~~~ts from=examples/helloworld.ts",
    "export const greeter: GreeterHandlers = {",
    "  sayHello: (request) => ({ message: `Hello ${request.name}` }),",
    "};",
    "~~~",
    "```ts from=examples/helloworld.ts",
    "export const greeter = 1;",
    "```",
    "```ts from=examples/helloworld.ts",
    "sayHello: (request) => ({ message: `Hello ${request.name}` }),",
    "```",
    "```ts from=examples/helloworld.ts",
    "const greeter",
    "```",
    "```typescript",
    "interface Sketch { send(m: T): Promise<void> }",
    "```",
    "```sh",
    "npm test",
    "```",
    "```ts run",
    'import { createChannel, createServer } from "safestub";',
    'import { GreeterClient, GreeterService } from "./gen/helloworld_grpc.js";',
    "const server = createServer().add(GreeterService, { sayHello: (request) => ({ message: `Hello ${request.name}` }) });",
    'const port = await server.listen("127.0.0.1:0");',
    "const channel = createChannel(`http://127.0.0.1:${port}`);",
    'const reply = await new GreeterClient(channel).sayHello({ name: "README" });',
    'if (reply.message !== "Hello README") throw new Error(reply.message);',
    "channel.close();",
    "await server.shutdown();",
    "```",
    "```ts run",
    'throw new Error("this snippet fails");',
    "```",
  ].join("\n");

  it("finds fenced blocks with their language, tag and line", () => {
    expect(codeBlocks(sample).map(({ line, lang, tag }) => ({ line, lang, tag }))).toEqual([
      { line: 3, lang: "ts", tag: "check" },
      { line: 10, lang: "ts", tag: "check" },
      { line: 15, lang: "ts", tag: "from=examples/helloworld.ts" },
      { line: 20, lang: "ts", tag: "from=examples/helloworld.ts" },
      { line: 23, lang: "ts", tag: "from=examples/helloworld.ts" },
      { line: 26, lang: "ts", tag: "from=examples/helloworld.ts" },
      { line: 29, lang: "typescript", tag: "" },
      { line: 32, lang: "sh", tag: "" },
      { line: 35, lang: "ts", tag: "run" },
      { line: 46, lang: "ts", tag: "run" },
    ]);
  });

  it("reports untagged ts blocks and quotes that are not in the quoted file", () => {
    const blocks = codeBlocks(sample);
    expect(untagged(blocks, "S.md")).toEqual([expect.stringMatching(/^S\.md:29: a ts block needs a tag/)]);
    // Line 23 (a dedented line of the greeter object) is a good quote; line 26 is only part of a line.
    expect(quoteMismatches(blocks, "S.md")).toEqual(["S.md:20: not a verbatim quote of examples/helloworld.ts", "S.md:26: not a verbatim quote of examples/helloworld.ts"]);
  });

  it("type-checks `check` and `run` blocks and maps errors to README lines", async () => {
    const errors = await checkSnippets(codeBlocks(sample).filter((b) => b.tag === "check" || b.tag === "run"), "S.md");
    // Only the second block is wrong (name: 1, and message is a string): both errors point into it.
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) expect(error).toMatch(/^S\.md:12:\d+: error TS\d+/);
  }, 130_000);

  it("runs `run` blocks once they type-check: the quick start passes, a throwing block is reported", async () => {
    const failures = await checkSnippets(codeBlocks(sample).filter((b) => b.tag === "run"), "S.md");
    expect(failures).toEqual([expect.stringMatching(/^S\.md:46: exited 1: Error: this snippet fails/)]);
  }, 130_000);
});

describe.runIf(existsSync(readmePath))("README.md", () => {
  const blocks = existsSync(readmePath) ? codeBlocks(readFileSync(readmePath, "utf8")) : [];

  it("tags every ts block and quotes the examples verbatim", () => {
    expect(blocks.filter((b) => isTypeScript(b) && b.tag !== "nocheck").length, "README.md has no checked ts block").toBeGreaterThan(0);
    expect([...untagged(blocks, "README.md"), ...quoteMismatches(blocks, "README.md")]).toEqual([]);
  });

  it("type-checks its `check` and `run` blocks and runs the `run` ones", async () => {
    const checked = blocks.filter((b) => b.tag === "check" || b.tag === "run");
    expect(checked.length === 0 ? [] : await checkSnippets(checked, "README.md")).toEqual([]);
  }, 200_000);
});
