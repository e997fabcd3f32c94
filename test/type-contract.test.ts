// The type contract of generated code (issue 6): test/types/correct.ts must
// compile clean, and every line of test/types/misuses.ts under a
// `// @ts-expect-error TSnnnn ...` directive must fail with that error code.
// Checked with TypeScript 5.9 (the project's compiler) and TypeScript 7, on
// each message backend: the fixtures import the generated code as
// `@backend/examples.js`, which test/types/tsconfig.json maps to ts-proto and
// tsconfig.protobuf-es.json to protobuf-es (one source, not copies).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const typesDir = join(root, "test/types");
const misusesFile = join(typesDir, "misuses.ts");

// Note: node_modules/.bin/tsc may be either one (both packages declare a `tsc` bin), so each is run by path.
const compilers = [
  { name: "TypeScript 5.9", bin: join(root, "node_modules/typescript/bin/tsc"), version: /^Version 5\.9\./, exactCodes: true },
  // typescript7 is a devDependency (npm:typescript@^7), installed beside 5.9 under another name. It reports some
  // argument errors under the elaborated code (TS2739/TS2741 where 5.9 says TS2345), so only the lines are compared.
  { name: "TypeScript 7", bin: join(root, "node_modules/typescript7/bin/tsc"), version: /^Version 7\./, exactCodes: false },
] as const;

interface TscResult {
  code: number;
  output: string;
}

function tsc(bin: string, args: string[]): Promise<TscResult> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") return reject(err);
      resolve({ code: typeof err?.code === "number" ? err.code : 0, output: `${stdout}${stderr}`.trim() });
    });
  });
}

interface Directive {
  /** 1-based line of the misuse, the line under the directive. */
  line: number;
  /** The error code with ts-proto messages, and with protobuf-es where it differs. */
  code: string;
  protobufEsCode: string | undefined;
  what: string;
}

function directivesOf(source: string): Directive[] {
  const directives: Directive[] = [];
  source.split("\n").forEach((text, index) => {
    const match = /^\s*\/\/ @ts-expect-error (TS\d+)(?: \(protobuf-es (TS\d+)\))? (.+)$/.exec(text);
    if (match) directives.push({ line: index + 2, code: match[1]!, protobufEsCode: match[2], what: match[3]! });
  });
  return directives;
}

/** `file(line,col): error TSnnnn: ...` lines of `tsc --pretty false`, as "line TSnnnn" for `file`. */
function errorsIn(output: string, file: string): string[] {
  const errors: string[] = [];
  for (const text of output.split("\n")) {
    const match = /^(.+?)\((\d+),\d+\): error (TS\d+):/.exec(text.trim());
    if (match && match[1]!.replaceAll("\\", "/").endsWith(file)) errors.push(`${match[2]} ${match[3]}`);
  }
  return errors;
}

// The misuses issue 6 lists, each of which must have at least one directive.
const required = [
  "receiving on a client-streaming call",
  "sending on a server-streaming call",
  "stream handles on a unary call",
  "`send` on a Receiver",
  "`recv` on a Sender",
  "iterating a Sender",
  "the wrong message type on a client-streaming Sender",
  "the wrong message type on a bidi Sender",
  "the wrong message type from a bidi Receiver",
  "the wrong message type from a server-streaming Receiver",
  "the wrong response type from a unary handler",
  "the wrong response type sent from a server-streaming handler",
  "the wrong response type from a client-streaming handler",
  "the wrong response type sent from a bidi handler",
  "calling a client-streaming method with a request",
  "calling a unary method without a request",
  "using recv()'s result without checking for the end of the stream",
  "the halves of two different calls where a call is expected",
  "the halves of two different calls, with the rest of one call spread in",
  "returning a message from a server-streaming handler instead of sending it",
];

describe("type contract fixtures", () => {
  it("cover every misuse the issue lists, one directive per line with an error code", async () => {
    expect(existsSync(join(root, "gen/route_guide_grpc.ts")), "gen/ is missing: run `npm run generate`").toBe(true);
    const directives = directivesOf(await readFile(misusesFile, "utf8"));
    const covered = directives.map((d) => d.what);
    for (const what of required) expect(covered.some((c) => c.startsWith(what)), what).toBe(true);
    // Every @ts-expect-error carries a code, so the stripped compile below checks all of them.
    const all = (await readFile(misusesFile, "utf8")).match(/@ts-expect-error/g) ?? [];
    expect(all.length - 1).toBe(directives.length); // minus the one in the header comment
  });
});

/** The tsconfig per message backend; the misuse directives name the ts-proto build's error codes. */
const backends = [
  { messages: "ts-proto", tsconfig: "test/types/tsconfig.json" },
  { messages: "protobuf-es", tsconfig: "test/types/tsconfig.protobuf-es.json" },
] as const;

for (const compiler of compilers) for (const backend of backends) {
  describe(`type contract with ${compiler.name}, ${backend.messages} messages`, () => {
    let strippedDir: string | undefined;

    beforeAll(() => {
      if (!existsSync(compiler.bin)) {
        throw new Error(`${compiler.name} is not installed at ${relative(root, compiler.bin)}: it is a devDependency, run \`npm install\``);
      }
    });

    afterAll(async () => {
      if (strippedDir) await rm(strippedDir, { recursive: true, force: true });
    });

    it("is the expected compiler version", async () => {
      const { code, output } = await tsc(compiler.bin, ["-v"]);
      expect(code).toBe(0);
      expect(output).toMatch(compiler.version);
    });

    it("compiles the correct uses clean, and every misuse fails (no unused @ts-expect-error)", async () => {
      const { code, output } = await tsc(compiler.bin, ["-p", backend.tsconfig, "--pretty", "false"]);
      expect(output).toBe("");
      expect(code).toBe(0);
    });

    it("fails each misuse with the error its directive names, and nothing else", async () => {
      // Remove the directives (keeping line numbers) and compile the copy from out/, two levels below the
      // root like test/types, so its imports stay valid. Not inside test/: other suites' TypeScript
      // programs (the lint rule's) watch those directories.
      const source = await readFile(misusesFile, "utf8");
      const directives = directivesOf(source);
      await mkdir(join(root, "out"), { recursive: true });
      strippedDir = await mkdtemp(join(root, "out", "type-contract-"));
      const stripped = source.replace(/\/\/ @ts-expect-error /g, "// expect-error ");
      await writeFile(join(strippedDir, "misuses.ts"), stripped);
      await writeFile(join(strippedDir, "tsconfig.json"), JSON.stringify({ extends: `../../${backend.tsconfig}`, include: [], files: ["misuses.ts"] }));

      const { output } = await tsc(compiler.bin, ["-p", relative(root, join(strippedDir, "tsconfig.json")), "--pretty", "false"]);
      const label = (line: number | string, code: string) => (compiler.exactCodes ? `${line} ${code}` : `${line}`);
      const expected = directives.map((d) => label(d.line, backend.messages === "protobuf-es" ? (d.protobufEsCode ?? d.code) : d.code));
      const errors = errorsIn(output, `${relative(root, strippedDir).replaceAll("\\", "/")}/misuses.ts`);
      const actual = [...new Set(errors.map((e) => label(...(e.split(" ") as [string, string]))))];
      const byLine = (a: string, b: string) => Number.parseInt(a) - Number.parseInt(b) || a.localeCompare(b);
      expect(actual.sort(byLine)).toEqual(expected.sort(byLine));
      // Every diagnostic is one of ours: none from another file.
      expect(output.split("\n").filter((l) => /error TS\d+:/.test(l) && !l.includes("misuses.ts"))).toEqual([]);
    });
  });
}
