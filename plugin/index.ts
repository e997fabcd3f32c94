import { createEcmaScriptPlugin, type Schema } from "@bufbuild/protoplugin";
import type { CodeGeneratorRequest } from "@bufbuild/protobuf/wkt";
import { parseOptions, type SafestubOptions } from "./options.js";
import { renderServices } from "./render.js";
import { buildFileView, Tokens } from "./view-model.js";
import { version } from "./version.js";

/** Writes `<name>_grpc.ts` for every file to generate that has services. */
function generateTs(schema: Schema<SafestubOptions>): void {
  for (const file of schema.files) {
    if (file.services.length === 0) continue;
    const f = schema.generateFile(`${file.name}_grpc.ts`);
    const t = new Tokens();
    const text = renderServices(buildFileView(schema, file, f, t));
    f.preamble(file);
    f.print(t.toPrintables(text));
  }
}

const base = createEcmaScriptPlugin<SafestubOptions>({
  name: "protoc-gen-safestub",
  version: `v${version}`,
  parseOptions,
  generateTs,
});

/** The plugin; `target` defaults to `ts` (protoplugin's own default is js+dts). */
export const plugin = {
  ...base,
  run(request: CodeGeneratorRequest) {
    if (!/(^|,)\s*target=/.test(request.parameter)) {
      request.parameter = request.parameter ? `target=ts,${request.parameter}` : "target=ts";
    }
    return base.run(request);
  },
};
