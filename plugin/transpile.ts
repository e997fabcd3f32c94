import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { FileInfo } from "@bufbuild/protoplugin";
import type * as TypeScript from "typescript";

/**
 * Transpiles the generated `.ts` files to `.js` and/or `.d.ts` for
 * `target=js`, `dts` and `js+dts`, like protoplugin's own transpiler (the
 * TypeScript it pins, the same lenient options, imports not resolved), with
 * one difference: the standard library comes from that same TypeScript.
 * protoplugin reads it through @typescript/vfs, which finds whatever
 * `typescript` the project has at top level; with TypeScript 7 (no lib files
 * there) `Promise` went unresolved and every unary rpc failed with TS4055.
 */
export function transpile(files: FileInfo[], transpileJs: boolean, transpileDts: boolean, jsImportStyle: "module" | "legacy_commonjs"): FileInfo[] {
  const ts = protopluginTypeScript();
  const options: TypeScript.CompilerOptions = {
    strict: false,
    module: jsImportStyle === "legacy_commonjs" ? ts.ModuleKind.CommonJS : ts.ModuleKind.ES2020,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    noResolve: true,
    target: ts.ScriptTarget.ES2017,
    // Generated code only uses Promise and what it imports; esnext also covers `await using`.
    lib: ["lib.esnext.d.ts"],
    moduleDetection: ts.ModuleDetectionKind.Force,
    newLine: ts.NewLineKind.LineFeed,
    skipLibCheck: true,
    declaration: transpileDts,
    emitDeclarationOnly: transpileDts && !transpileJs,
  };
  const sources = new Map(files.map((f) => [f.name, f]));
  const program = ts.createProgram({ rootNames: [...sources.keys()], options, host: compilerHost(ts, sources) });

  const results: FileInfo[] = [];
  const emitted = program.emit(undefined, (fileName, content, _bom, _onError, sourceFiles) => {
    const source = sourceFiles?.length === 1 ? sources.get(sourceFiles[0]!.fileName) : undefined;
    if (!source) throw new Error(`transpiling wrote ${fileName}, which comes from no generated file`);
    results.push({ name: fileName, preamble: source.preamble, content });
  });
  if (emitted.emitSkipped || emitted.diagnostics.length > 0) {
    throw new Error(`cannot transpile to ${transpileJs ? (transpileDts ? "js+dts" : "js") : "dts"}: ${describe(ts, emitted.diagnostics)}; target=ts gives the TypeScript source`);
  }
  return results;
}

/** The TypeScript protoplugin imports (it pins one), not the project's: that one may be any version, or TypeScript 7. */
function protopluginTypeScript(): typeof TypeScript {
  const protoplugin = createRequire(import.meta.url).resolve("@bufbuild/protoplugin");
  return createRequire(protoplugin)("typescript") as typeof TypeScript;
}

/** Generated files from memory, the standard library from TypeScript's own lib directory, nothing else. */
function compilerHost(ts: typeof TypeScript, sources: ReadonlyMap<string, FileInfo>): TypeScript.CompilerHost {
  const libDir = dirname(ts.getDefaultLibFilePath({}));
  const read = (fileName: string): string | undefined => {
    const source = sources.get(fileName);
    if (source) return source.content;
    if (!fileName.startsWith(libDir)) return undefined;
    try {
      return readFileSync(fileName, "utf8");
    } catch {
      return undefined;
    }
  };
  return {
    getSourceFile: (fileName, languageVersion) => {
      const text = read(fileName);
      return text === undefined ? undefined : ts.createSourceFile(fileName, text, languageVersion);
    },
    getDefaultLibFileName: (options) => join(libDir, ts.getDefaultLibFileName(options)),
    getDefaultLibLocation: () => libDir,
    writeFile: () => {},
    getCurrentDirectory: () => "",
    getCanonicalFileName: (fileName) => fileName,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
    fileExists: (fileName) => read(fileName) !== undefined,
    readFile: read,
  };
}

function describe(ts: typeof TypeScript, diagnostics: readonly TypeScript.Diagnostic[]): string {
  const first = diagnostics[0];
  if (!first) return "TypeScript skipped the emit";
  const message = ts.flattenDiagnosticMessageText(first.messageText, " ").replace(/\.$/, "");
  const where = first.file && first.start !== undefined ? `${first.file.fileName}(${first.file.getLineAndCharacterOfPosition(first.start).line + 1}): ` : "";
  const more = diagnostics.length > 1 ? ` (and ${diagnostics.length - 1} more)` : "";
  return `${where}TS${first.code} ${message}${more}`;
}
