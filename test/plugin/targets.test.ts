// Every target protoplugin offers (ts, js, dts and their + joins) with each
// js_import_style, through the real bin under protoc and buf: the two give the
// same files; one `tsc -b` compiles ts-proto's messages next to them and
// type-checks each .d.ts (and the ts target under isolatedDeclarations) with a
// consumer whose @ts-expect-error lines fail on any `any`; then each output
// that has JavaScript is loaded by node (ESM or CommonJS) and carries all four
// call shapes over loopback.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { bufGenerate, bufImage, freshDir, listFiles, protocGenerate, root, run, runInProcess, tsProtoOptions } from "./helpers.js";

const protos = ["route_guide.proto", "edge/globals.proto"];
type Style = "module" | "legacy_commonjs";
interface Case {
  target: "ts" | "js" | "dts" | "js+dts";
  style: Style;
}
const cases: Case[] = [
  { target: "ts", style: "module" },
  { target: "js", style: "module" },
  { target: "js", style: "legacy_commonjs" },
  { target: "dts", style: "module" },
  { target: "js+dts", style: "module" },
  { target: "js+dts", style: "legacy_commonjs" },
];
const nameOf = (c: Case) => `${c.target.replace("+", "-")}-${c.style}`;
const hasJs = (c: Case) => c.target !== "dts";
const hasDts = (c: Case) => c.target !== "js";
const dirs = new Map<string, { protoc: string; buf: string }>();
let build: { status: number | null; output: string };

/** What each output dir gets beside the generated code: its module kind (package.json), `safestub` resolving to this repo, a consumer and a caller. */
function prepare(dir: string, c: Case): void {
  const cjs = c.style === "legacy_commonjs";
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: cjs ? "commonjs" : "module" }));
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(root, join(dir, "node_modules/safestub"));
  if (hasDts(c) || c.target === "ts") writeFileSync(join(dir, "consumer.ts"), consumerSource);
  if (hasJs(c)) writeFileSync(join(dir, cjs ? "call.cjs" : "call.mjs"), callSource(cjs));
}

/**
 * One program over every case (NodeNext takes each file's module kind from its package.json), so the
 * standard library, @types/node and the runtime's types are read and checked once. It emits each
 * case's ts-proto messages (and the ts target's services) as .js beside them; the consumers type-check
 * against the .d.ts files; and it is a user's library build, with `declaration` and `isolatedDeclarations`.
 */
function writeBuildConfig(dir: string): void {
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2023", "ESNext.Disposable"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        skipLibCheck: false,
        types: ["node"],
        typeRoots: [join(root, "node_modules/@types")],
        declaration: true,
        isolatedDeclarations: true,
        noEmitOnError: true,
      },
      include: ["*/protoc/**/*.ts"],
      exclude: ["*/protoc/node_modules"],
    }),
  );
}

// Uses every generated export with its exact types: under `any` each @ts-expect-error would be unused, and tsc fails.
const consumerSource = `
import type { MethodDefinition, Receiver, Sender } from "safestub";
import { RouteGuideClient, RouteGuideService, type RouteGuideHandlers } from "./route_guide_grpc.js";
import type { Feature, Point, RouteNote } from "./route_guide.js";
import { PromiseClient, PromiseService } from "./edge/globals_grpc.js";
import type { Promise as PromiseMessage } from "./edge/globals_types.js";

export const getFeature: MethodDefinition<Point, Feature, "unary"> = RouteGuideService.methods.getFeature;
// @ts-expect-error getFeature is unary
export const notBidi: MethodDefinition<Point, Feature, "bidi_streaming"> = RouteGuideService.methods.getFeature;
export const make: MethodDefinition<PromiseMessage, PromiseMessage, "unary"> = PromiseService.methods.make;

export async function use(client: RouteGuideClient, promises: PromiseClient): Promise<string> {
  const feature: Feature = await client.getFeature({ latitude: 1, longitude: 2 });
  // @ts-expect-error the response is a Feature, not a Point
  const point: Point = await client.getFeature({ latitude: 1, longitude: 2 });
  // @ts-expect-error a unary call takes a request
  void client.getFeature();
  const chat = client.routeChat();
  const sender: Sender<RouteNote> = chat.sender;
  const receiver: Receiver<RouteNote> = chat.receiver;
  // @ts-expect-error a bidi call has no single response
  void chat.response;
  // @ts-expect-error a RouteNote sender takes no Point
  void sender.send(point);
  const made: PromiseMessage = await promises.make({ v: "x" });
  return feature.name + String(receiver) + String(made);
}

export const handlers: RouteGuideHandlers = {
  getFeature: (point) => ({ name: "here", location: point }),
  async listFeatures(_rect, sender) {
    await sender.send({ name: "one", location: undefined });
  },
  async recordRoute(points) {
    let pointCount = 0;
    for await (const _ of points) pointCount++;
    return { pointCount, featureCount: 0, distance: 0, elapsedTime: 0 };
  },
  async routeChat(notes, sender) {
    for await (const note of notes) await sender.send(note);
  },
};
// @ts-expect-error every rpc needs a handler
export const missing: RouteGuideHandlers = { getFeature: (point) => ({ name: "", location: point }) };
`;

/** A server and client over loopback from the generated JavaScript alone (ESM or CommonJS), one call of each shape; prints what came back. */
function callSource(cjs: boolean): string {
  const load = cjs
    ? `const { createChannel, createServer } = require("safestub");\nconst { RouteGuideClient, RouteGuideService } = require("./route_guide_grpc.js");`
    : `import { createChannel, createServer } from "safestub";\nimport { RouteGuideClient, RouteGuideService } from "./route_guide_grpc.js";`;
  return `${load}
async function main() {
  const server = createServer().add(RouteGuideService, {
    getFeature: (point) => ({ name: "at " + point.latitude, location: point }),
    async listFeatures(rect, sender) {
      for (let i = 0; i < 3; i++) await sender.send({ name: "f" + i, location: rect.lo });
    },
    async recordRoute(points) {
      let pointCount = 0;
      for await (const _ of points) pointCount++;
      return { pointCount, featureCount: 0, distance: 0, elapsedTime: 0 };
    },
    async routeChat(notes, sender) {
      for await (const note of notes) await sender.send({ location: note.location, message: note.message + "!" });
    },
  });
  const port = await server.listen("127.0.0.1:0");
  const channel = createChannel("http://127.0.0.1:" + port);
  const client = new RouteGuideClient(channel, { timeoutMs: 5000 });
  const unary = await client.getFeature({ latitude: 7, longitude: 8 });
  const listed = [];
  for await (const f of client.listFeatures({ lo: { latitude: 1, longitude: 1 }, hi: undefined }).receiver) listed.push(f.name);
  const upload = client.recordRoute();
  for (let i = 0; i < 4; i++) await upload.sender.send({ latitude: i, longitude: i });
  await upload.sender.close();
  const summary = await upload.response;
  const chat = client.routeChat();
  await chat.sender.send({ location: undefined, message: "hi" });
  await chat.sender.close();
  const echoed = [];
  for await (const note of chat.receiver) echoed.push(note.message);
  channel.close();
  await server.shutdown();
  console.log(JSON.stringify({ unary: unary.name, listed, pointCount: summary.pointCount, echoed }));
}
main().catch((err) => { console.error(err); process.exit(1); });
`;
}

beforeAll(() => {
  for (const c of cases) {
    const parent = freshDir(`targets/${nameOf(c)}`);
    const protoc = join(parent, "protoc");
    const buf = join(parent, "buf");
    const options = [`target=${c.target}`, "import_extension=js", `js_import_style=${c.style}`];
    for (const [dir, generate] of [[protoc, protocGenerate], [buf, bufGenerate]] as const) {
      mkdirSync(dir);
      const r = generate(dir, protos, tsProtoOptions, options);
      expect(r.stderr, `${nameOf(c)}: ${r.stderr}`).toBe("");
      expect(r.status).toBe(0);
    }
    prepare(protoc, c);
    dirs.set(nameOf(c), { protoc, buf });
  }
  writeBuildConfig(join(root, "out/plugin-tests/targets"));
  const r = run(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "out/plugin-tests/targets")]);
  build = { status: r.status, output: `${r.stdout}${r.stderr}` };
}, 240_000);

/** The files the plugin wrote (not ts-proto's, not the test's). */
const safestubFiles = (dir: string) => listFiles(dir).filter((f) => /_grpc\.(ts|js|d\.ts)$/.test(f) && !f.startsWith("node_modules/"));
const expectedFiles = (c: Case) =>
  ["edge/globals_grpc", "route_guide_grpc"].flatMap((stem) => (c.target === "ts" ? [`${stem}.ts`] : [...(hasDts(c) ? [`${stem}.d.ts`] : []), ...(hasJs(c) ? [`${stem}.js`] : [])]));

describe.each(cases)("target=$target, js_import_style=$style", (c) => {
  it("protoc and buf write the same files, the ones the target names", () => {
    const { protoc, buf } = dirs.get(nameOf(c))!;
    // Listed before tsc ran: the generated names only.
    const written = safestubFiles(buf);
    expect(written).toEqual(expectedFiles(c).sort());
    for (const name of written) expect(readFileSync(join(protoc, name), "utf8"), name).toBe(readFileSync(join(buf, name), "utf8"));
  });

  it.runIf(hasJs(c) && c.target !== "ts")("the JavaScript uses the asked import style", () => {
    const js = readFileSync(join(dirs.get(nameOf(c))!.buf, "route_guide_grpc.js"), "utf8");
    if (c.style === "module") {
      expect(js).toMatch(/^import \{[^}]*\} from "safestub";$/m);
      expect(js).not.toContain("require(");
    } else {
      expect(js).toContain('require("safestub")');
      expect(js).toContain('require("./route_guide.js")');
      expect(js).not.toMatch(/^import /m);
    }
  });

  it.runIf(hasDts(c))("the .d.ts spells out every type (no any)", () => {
    for (const name of safestubFiles(dirs.get(nameOf(c))!.buf).filter((f) => f.endsWith(".d.ts"))) {
      const dts = readFileSync(join(dirs.get(nameOf(c))!.buf, name), "utf8");
      expect(dts, name).not.toMatch(/\bany\b/);
      expect(dts, name).toMatch(/: Promise<\w+(\$1)?>;/);
    }
  });

  it("compiles with the messages, and the consumer type-checks against it (tsc 5.9, strict)", () => {
    const mine = build.output.split("\n").filter((line) => line.includes(`/${nameOf(c)}/`) || line.startsWith(`${nameOf(c)}`));
    expect(mine.join("\n")).toBe("");
    expect(existsSync(join(dirs.get(nameOf(c))!.protoc, "route_guide.js"))).toBe(true);
  });

  it.runIf(hasJs(c))("node loads it and it carries all four call shapes over loopback", () => {
    const dir = dirs.get(nameOf(c))!.protoc;
    const r = run(process.execPath, [join(dir, c.style === "legacy_commonjs" ? "call.cjs" : "call.mjs")], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ unary: "at 7", listed: ["f0", "f1", "f2"], pointCount: 4, echoed: ["hi!"] });
  });
});

describe("joined targets", () => {
  it("the whole build passed", () => {
    expect(build.output).toBe("");
    expect(build.status).toBe(0);
  });

  it("ts+js, ts+dts and ts+js+dts write the ts target's file beside the transpiled ones, byte for byte", () => {
    const image = bufImage(["route_guide.proto"], "targets");
    const files = (target: string) => new Map(runInProcess(image, ["route_guide.proto"], `target=${target},import_extension=js`).file.map((f) => [f.name, f.content]));
    const ts = files("ts");
    const jsDts = files("js+dts");
    for (const target of ["ts+js", "ts+dts", "ts+js+dts", "js+ts"]) {
      const out = files(target);
      const parts = target.split("+");
      const expected = [...ts.keys(), ...[...jsDts.keys()].filter((n) => parts.includes(n.endsWith(".d.ts") ? "dts" : "js"))];
      expect([...out.keys()].sort(), target).toEqual(expected.sort());
      // The header names the parameter: compare the code below it.
      const body = (s: string | undefined) => s?.slice(s.indexOf("\n/* eslint-disable */"));
      for (const [name, content] of out) expect(body(content), `${target} ${name}`).toBe(body(ts.get(name) ?? jsDts.get(name)));
    }
  });
});

// The layout that broke js+dts (TS4055 "private name 'Promise'" on every unary rpc): the project's
// `typescript` is TypeScript 7, whose package has no lib files, and @typescript/vfs, hoisted beside it,
// finds that one. protoplugin's own transpiler read the standard library through it.
describe("a project whose typescript is TypeScript 7", () => {
  it("protoplugin's own transpiler fails there with TS4055; safestub's writes the same js+dts as here", () => {
    const project = freshDir("targets-ts7");
    const modules = join(project, "node_modules");
    const real = join(root, "node_modules");
    // Copied, so that each resolves its imports from this project, as npm lays them out; the rest is linked.
    const protoplugin = dirname(dirname(dirname(createRequire(import.meta.url).resolve("@bufbuild/protoplugin"))));
    for (const part of ["package.json", "dist"]) cpSync(join(protoplugin, part), join(modules, "@bufbuild/protoplugin", part), { recursive: true });
    mkdirSync(join(modules, "@bufbuild/protoplugin/node_modules"));
    symlinkSync(join(protoplugin, "node_modules/typescript"), join(modules, "@bufbuild/protoplugin/node_modules/typescript"));
    cpSync(join(real, "@typescript/vfs"), join(modules, "@typescript/vfs"), { recursive: true });
    for (const part of ["package.json", "bin", "dist/plugin"]) cpSync(join(root, part), join(modules, "safestub", part), { recursive: true });
    symlinkSync(join(real, "typescript7"), join(modules, "typescript"));
    for (const name of ["@bufbuild/protobuf", "handlebars"]) symlinkSync(join(real, name), join(modules, name));
    // The premise: from @typescript/vfs, `typescript` is TypeScript 7, and its folder has no lib files.
    const vfsTypeScript = createRequire(join(modules, "@typescript/vfs/package.json")).resolve("typescript");
    expect(vfsTypeScript).toContain("typescript7");
    expect(readdirSync(dirname(vfsTypeScript)).filter((f) => f.startsWith("lib.") && f.endsWith(".d.ts"))).toEqual([]);

    // The bug itself: protoplugin's transpiler, in this layout, on a method returning Promise.
    const probe = join(project, "probe.mjs");
    const source = { name: "probe_grpc.ts", content: "export class Client {\n  get(): Promise<number> {\n    return Promise.resolve(1);\n  }\n}\n" };
    writeFileSync(probe, `import { transpile } from "./node_modules/@bufbuild/protoplugin/dist/esm/transpile.js";\ntry { transpile([${JSON.stringify(source)}], true, true, "module"); console.log("ok"); } catch (e) { console.log(e.message); }\n`);
    // If this starts printing "ok", protoplugin reads its own standard library and plugin/transpile.ts can go.
    expect(run(process.execPath, [probe]).stdout).toMatch(/error TS4055: Return type of public method from exported class has or is using private name 'Promise'/);

    const out = join(project, "out");
    mkdirSync(out);
    const r = run("protoc", ["-I", "protos", `--plugin=protoc-gen-safestub=${join(modules, "safestub/bin/protoc-gen-safestub")}`, `--safestub_out=${out}`, "--safestub_opt=target=js+dts,import_extension=js,js_import_style=module", ...protos]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const here = dirs.get(nameOf({ target: "js+dts", style: "module" }))!.buf;
    expect(safestubFiles(out)).toEqual(safestubFiles(here));
    for (const name of safestubFiles(out)) expect(readFileSync(join(out, name), "utf8"), name).toBe(readFileSync(join(here, name), "utf8"));
  });
});
