import { createEcmaScriptPlugin, type Schema } from "@bufbuild/protoplugin";
import type { CodeGeneratorRequest } from "@bufbuild/protobuf/wkt";
import { parseOptions, type SafestubOptions } from "./options.js";
import { normalizeParameter } from "./parameter.js";
import { renderServices } from "./render.js";
import { buildFileView, Tokens } from "./view-model.js";
import { version } from "./version.js";

/** Writes `<name>_grpc.ts` for every file to generate that has services. */
function generateTs(schema: Schema<SafestubOptions>): void {
  for (const file of schema.files) {
    if (file.services.length === 0) continue;
    const name = `${file.name}_grpc.ts`;
    // ts-proto writes `<file><fileSuffix>.ts` for every file it is given: `foo_grpc.proto` would take our name.
    const clash = schema.allFiles.find((other) => `${other.name}${schema.options.fileSuffix}.ts` === name);
    if (clash && schema.targets.includes("ts")) {
      throw new Error(`${file.proto.name}: safestub would write ${name}, which ts-proto writes for ${clash.proto.name}; rename one of the two files or give both plugins a fileSuffix`);
    }
    const f = schema.generateFile(name);
    const t = new Tokens();
    const text = renderServices(buildFileView(schema, file, f, t));
    f.preamble(file);
    f.print(t.toPrintables(text));
  }
}

/**
 * protoplugin's plugin object keeps state between runs (once a run asked for
 * js or dts, every later run transpiles too), so each run gets a fresh one.
 */
const createBase = () =>
  createEcmaScriptPlugin<SafestubOptions>({
    name: "protoc-gen-safestub",
    version: `v${version}`,
    parseOptions,
    generateTs,
  });

const base = createBase();

/**
 * The plugin. `run` throws on bad options or input (runNodeJs prints the
 * message as one line and exits 1, so nothing is written); see
 * normalizeParameter for the `target` default and `importSuffix`.
 */
export const plugin = {
  name: base.name,
  version: base.version,
  run(request: CodeGeneratorRequest) {
    request.parameter = normalizeParameter(request.parameter);
    return createBase().run(request);
  },
};
