// The README's "Use it in your project" replayed in an empty directory: every command of its
// ```sh setup blocks, as written, in README order, with each ```<lang> file=<path> block written
// to <path> when the replay reaches it (src/main.ts among them, a first client and server); the last
// command runs it and must print what the README's comments in it say.
//
// The one change: the two packages are not fetched from the registry but packed from this
// repository. The project's package.json starts out naming the tarballs, so that the README's
// `npm install safestub` and `npm install -D protoc-gen-safestub` install them (npm keeps the spec a
// package.json already has for a name given without a version). Everything else comes from the
// registry (--prefer-offline through npm_config_*).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanEnv, packPackages, readmeBlocks, run } from "./helpers/packages.js";

/** The commands of a shell block, one per logical line (backslash continuations joined, comments dropped). */
function commandsOf(code: string): string[] {
  return code
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

let workDir: string | undefined;
// Several node_modules trees: removing them can take longer than the default hook timeout on a busy machine.
afterAll(async () => {
  if (workDir) await rm(workDir, { recursive: true, force: true });
}, 180_000);

describe("README.md setup, replayed in a new project", () => {
  const blocks = readmeBlocks();
  const steps = blocks.filter((b) => (b.lang === "sh" && b.tag === "setup") || b.tag.startsWith("file="));
  const main = steps.find((b) => b.tag === "file=src/main.ts");

  it("has setup commands, project files and a quick start to replay", () => {
    expect(steps.filter((b) => b.lang === "sh").length).toBeGreaterThanOrEqual(2);
    expect(steps.map((b) => b.tag).filter((t) => t !== "setup")).toEqual(expect.arrayContaining(["file=tsconfig.json", "file=buf.gen.yaml", "file=buf.yaml", "file=protos/helloworld.proto", "file=src/main.ts"]));
    expect(main!.code).toContain("// Hello world");
  });

  it("installs, generates, compiles and runs the quick start with the commands as written", async () => {
    workDir = mkdtempSync(join(tmpdir(), "safestub-readme-setup-"));
    const { runtime, generator } = await packPackages(workDir);
    const app = join(workDir, "app");
    mkdirSync(join(app, "src"), { recursive: true });
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify({ dependencies: { safestub: `file:${join(workDir, runtime.filename)}` }, devDependencies: { "protoc-gen-safestub": `file:${join(workDir, generator.filename)}` } }, null, 2),
    );
    const env = { ...cleanEnv(), npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false" };

    const ran: string[] = [];
    let lastOutput = "";
    for (const step of steps) {
      if (step.tag.startsWith("file=")) {
        const path = join(app, step.tag.slice("file=".length));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, step.code);
        continue;
      }
      for (const command of commandsOf(step.code)) {
        ran.push(command);
        lastOutput = (await run("sh", ["-c", command], app, 200_000, env)).stdout;
      }
    }
    expect(ran[0]).toBe("npm init -y");
    expect(ran.at(-1)).toBe("node build/main.js");
    // What the comments in src/main.ts say it prints.
    const promised = [...main!.code.matchAll(/console\.log\(.*\); \/\/ (.*)$/gm)].map((m) => m[1]);
    expect(promised).toEqual(["Hello world", "Hello again"]);
    expect(lastOutput.trim().split("\n")).toEqual(promised);

    // The tarballs were installed, not a registry package of the same name.
    const installed = JSON.parse(readFileSync(join(app, "node_modules/safestub/package.json"), "utf8")) as { version: string; exports: object };
    expect(installed.exports).toHaveProperty(["./eslint"]);
    const manifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { type: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(manifest.type).toBe("module");
    expect(manifest.dependencies.safestub).toMatch(/^file:/);
    expect(Object.keys(manifest.dependencies).sort()).toEqual(["@bufbuild/protobuf", "@grpc/grpc-js", "safestub"]);
    expect(manifest.devDependencies["protoc-gen-safestub"]).toMatch(/^file:/);
    expect(Object.keys(manifest.devDependencies)).toEqual(expect.arrayContaining(["typescript", "@types/node", "ts-proto", "@bufbuild/buf", "google-proto-files"]));
  }, 400_000);
});
