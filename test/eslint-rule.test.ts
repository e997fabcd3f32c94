// safestub/eslint (issue 6): ESLint with typescript-eslint's parser and type
// information runs the plugin's recommended config on fixture files; the
// reports are asserted exactly.
import { ESLint } from "eslint";
import { ESLint as ESLint10 } from "eslint10";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import ts from "typescript";
import { fileURLToPath, pathToFileURL } from "node:url";
import tseslint from "typescript-eslint";
import { beforeAll, describe, expect, it } from "vitest";
import plugin from "../eslint/index.js";

const root = fileURLToPath(new URL("..", import.meta.url));

/**
 * One TypeScript program for the fixtures, built once and handed to the parser
 * (`programs`), instead of `project`: typescript-eslint's watch program for a
 * `project` re-reads the repo when other suites write files under it at the
 * same time, and once answered without type information mid-run.
 */
function fixtureProgram(): ts.Program {
  const configPath = join(root, "test/eslint/tsconfig.json");
  const { config } = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configPath));
  return ts.createProgram(parsed.fileNames, parsed.options);
}
const program = fixtureProgram();

/** An ESLint (9 by default; `eslint10` is ESLint 10, a devDependency alias) running `safestub`'s recommended config on the fixtures. */
function linter(safestub: typeof plugin = plugin, Engine: typeof ESLint = ESLint): ESLint {
  return new Engine({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [
      safestub.configs.recommended,
      {
        files: ["**/*.ts"],
        languageOptions: {
          parser: tseslint.parser,
          parserOptions: { programs: [program], tsconfigRootDir: root },
        },
      },
    ] as ESLint.Options["overrideConfig"],
  });
}

/** Every report of `file` as "line:column messageId" (ruleId checked), fatal parse errors included. */
async function reportsOf(eslint: ESLint, file: string): Promise<{ lines: string[]; messages: Map<string, string> }> {
  const [result] = await eslint.lintFiles([file]);
  const lines: string[] = [];
  const messages = new Map<string, string>();
  for (const m of result!.messages) {
    expect(m.ruleId, m.message).toBe("safestub/await-stream-operations");
    lines.push(`${m.line}:${m.column} ${m.messageId}`);
    messages.set(`${m.line}:${m.column}`, m.message);
  }
  return { lines, messages };
}

describe("safestub/eslint await-stream-operations", () => {
  let eslint: ESLint;
  beforeAll(() => {
    eslint = linter();
  });

  it("reports every misuse in the fixture, at the operation, with the right message", async () => {
    const { lines } = await reportsOf(eslint, "test/eslint/misuses.ts");
    expect(lines).toEqual([
      "11:22 concurrentSend", // Promise.all([tx.send(a), tx.send(b)])
      "11:34 concurrentSend",
      "15:24 callbackSend", // items.forEach((i) => tx.send(i))
      "20:11 callbackSend", // items.forEach(async (i) => { await tx.send(i); })
      "25:38 callbackSend", // Promise.all(items.map((i) => tx.send(i)))
      "29:17 floatingSend", // const first = tx.send(a); await tx.send(b);
      "35:13 floatingRecv", // const a = rx.recv(); const b = rx.recv();
      "36:13 floatingRecv",
      "41:22 concurrentRecv", // Promise.all([rx.recv(), rx.recv()])
      "41:33 concurrentRecv",
      "45:8 floatingSend", // void tx.close()
      "49:3 floatingSend", // tx.sendAll(items); await tx.close();
      "54:10 floatingSend", // return tx.send(a).then(() => tx.send(b)): the first send is not awaited directly
      "58:3 floatingSend", // tx?.send(p);
      "63:3 floatingSend", // call.sender.send(notes[0]!) on a generated call
      "64:20 callbackSend", // setTimeout(() => call.sender.close(), 10)
      "65:29 floatingSend", // for (...) call.sender.send(note);
      "66:17 floatingRecv", // const reply = call.receiver.recv();
      "67:30 floatingRecv", // Promise.race([reply, call.receiver.recv()])
      "72:5 floatingSend", // a server-streaming handler's sender.send(...)
      "76:5 floatingRecv", // a client-streaming handler's receiver.recv()
      "83:23 callbackRecv", // slots.forEach(async () => { await rx.recv(); })
    ]);
  });

  it("says what to do instead", async () => {
    const { messages } = await reportsOf(eslint, "test/eslint/misuses.ts");
    expect(messages.get("11:22")).toBe(
      "`tx.send()` runs at the same time as another send on `tx`, which is refused with ConcurrentSendError. Send the messages with `await tx.sendAll([...])`, or await each send in turn.",
    );
    expect(messages.get("15:24")).toBe(
      "`tx.send()` runs in a callback whose result `items.forEach` does not wait for, so the next send on `tx` overlaps it and is refused with ConcurrentSendError. Use `await tx.sendAll(items)`, or a for...of loop that awaits each send.",
    );
    expect(messages.get("29:17")).toBe(
      "`tx.send()` must be awaited directly or returned: until it settles, another send, sendAll or close on `tx` is refused with ConcurrentSendError. Write `await tx.send()`; to send many messages, `await tx.sendAll(messages)`.",
    );
    expect(messages.get("45:8")).toBe(
      "`tx.close()` must be awaited directly or returned: until it settles, another send, sendAll or close on `tx` is refused with ConcurrentSendError. Write `await tx.close()`.",
    );
    expect(messages.get("35:13")).toBe(
      "`rx.recv()` must be awaited directly or returned: until it settles, another recv() on `rx` is refused with ConcurrentRecvError. Write `await rx.recv()` and await each recv() before the next.",
    );
    expect(messages.get("41:22")).toBe(
      "`rx.recv()` runs at the same time as another recv() on `rx`, which is refused with ConcurrentRecvError. Await each recv() in turn, or read with `for await (const message of rx)`.",
    );
    expect(messages.get("83:23")).toBe(
      "`rx.recv()` runs in a callback whose result `slots.forEach` does not wait for, so the next recv() on `rx` overlaps it and is refused with ConcurrentRecvError. Use a for...of loop that awaits each recv(), or `for await (const message of rx)`.",
    );
  });

  it("reports nothing on correct code", async () => {
    for (const file of ["test/eslint/correct.ts", "test/types/correct.ts"]) {
      const { lines } = await reportsOf(eslint, file);
      expect(lines, file).toEqual([]);
    }
  });

  it("works the same from the built package entry (dist/eslint, exported as safestub/eslint)", async () => {
    const built = new URL("../dist/eslint/index.js", import.meta.url);
    expect(existsSync(built), "dist/eslint is missing: run `npm run build`").toBe(true);
    const { default: builtPlugin } = (await import(pathToFileURL(fileURLToPath(built)).href)) as { default: typeof plugin };
    const fromSource = await reportsOf(eslint, "test/eslint/misuses.ts");
    const fromBuild = await reportsOf(linter(builtPlugin), "test/eslint/misuses.ts");
    expect(fromBuild.lines).toEqual(fromSource.lines);
    expect(fromBuild.lines.length).toBe(22);
  });

  it("reports the same with ESLint 10 (the peer range is ^9 || ^10)", async () => {
    expect(ESLint10.version).toMatch(/^10\./);
    expect(ESLint.version).toMatch(/^9\./);
    const eslint10 = linter(plugin, ESLint10 as unknown as typeof ESLint);
    const [misuses, nineMisuses] = await Promise.all([reportsOf(eslint10, "test/eslint/misuses.ts"), reportsOf(eslint, "test/eslint/misuses.ts")]);
    expect(misuses.lines).toEqual(nineMisuses.lines);
    expect(misuses.lines.length).toBe(22);
    expect([...misuses.messages]).toEqual([...nineMisuses.messages]);
    for (const file of ["test/eslint/correct.ts", "test/types/correct.ts", "test/eslint/helpers.ts"]) expect((await reportsOf(eslint10, file)).lines, file).toEqual([]);
  });

  it("leaves un-awaited helpers to no-floating-promises and async callbacks to no-misused-promises", async () => {
    expect((await reportsOf(eslint, "test/eslint/helpers.ts")).lines).toEqual([]);
    const withPromiseRules = new ESLint({
      cwd: root,
      overrideConfigFile: true,
      overrideConfig: [
        plugin.configs.recommended,
        {
          files: ["**/*.ts"],
          plugins: { "@typescript-eslint": tseslint.plugin },
          languageOptions: { parser: tseslint.parser, parserOptions: { programs: [program], tsconfigRootDir: root } },
          rules: { "@typescript-eslint/no-floating-promises": "error", "@typescript-eslint/no-misused-promises": "error" },
        },
      ] as ESLint.Options["overrideConfig"],
    });
    const [result] = await withPromiseRules.lintFiles(["test/eslint/helpers.ts"]);
    expect(result!.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)).toEqual([
      "14:3 @typescript-eslint/no-floating-promises",
      "15:18 @typescript-eslint/no-misused-promises",
    ]);
  });
});
