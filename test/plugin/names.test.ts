// Unit tests of the naming rules and option parsing (no protoc, no files).
import { describe, expect, it } from "vitest";
import { lowerCamelCase, methodNames } from "../../plugin/method-names.js";
import { parseOptions } from "../../plugin/options.js";
import { normalizeParameter } from "../../plugin/parameter.js";
import type { DescMethod } from "@bufbuild/protobuf";
import { parseTsProtoOptions } from "./helpers.js";

const rpcs = (...names: string[]) => names.map((name) => ({ name }) as DescMethod);

describe("lowerCamelCase", () => {
  it.each([
    ["SayHello", "sayHello"],
    ["GetUser", "getUser"],
    ["get_user", "getUser"],
    ["GET_USER", "getUser"],
    ["GetAPIValue", "getAPIValue"],
    ["get_API_value", "getAPIValue"],
    ["HTTPGet", "httpGet"],
    ["URL", "url"],
    ["IOStats", "ioStats"],
    ["__proto__", "proto"],
    ["_", "_"],
    ["__", "__"],
    ["_1st", "_1st"],
    ["v2_list", "v2List"],
    ["A", "a"],
  ])("%s -> %s", (name, expected) => {
    expect(lowerCamelCase(name)).toBe(expected);
  });
});

describe("methodNames", () => {
  it("suffixes names that would break a class or make it thenable", () => {
    expect(methodNames(rpcs("constructor", "then", "toString", "to_string", "valueOf", "hasOwnProperty", "delete", "class"))).toEqual([
      "constructor$",
      "then$",
      "toString$",
      "toString$2",
      "valueOf$",
      "hasOwnProperty$",
      "delete",
      "class",
    ]);
  });

  it("numbers rpcs that collide after lowerCamelCase, in declaration order", () => {
    expect(methodNames(rpcs("GetUser", "get_user", "GET_USER", "getUser", "Then", "then"))).toEqual([
      "getUser",
      "getUser$2",
      "getUser$3",
      "getUser$4",
      "then$",
      "then$2",
    ]);
  });

  it("always yields distinct identifiers", () => {
    const names = methodNames(rpcs("a", "A", "a_", "_a", "__a__", "then", "Then", "THEN", "then_"));
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[A-Za-z_$][\w$]*$/);
  });
});

describe("parseOptions", () => {
  const parse = (...pairs: string[]) => parseOptions(pairs.map((p) => ({ key: p.split("=")[0]!, value: p.slice(p.indexOf("=") + 1) })));

  it("accepts ts-proto's naming options under ts-proto's names and values", () => {
    const pairs = ["useSnakeTypeName=false", "snakeToCamel=json", "fileSuffix=.pb", "typePrefix=T", "messageSuffix=Msg", "Mfoo/bar.proto=@acme/bar"];
    expect(() => parse(...pairs)).not.toThrow();
    // The plugin hands them to the ts-proto message backend, which keeps them.
    const o = parseTsProtoOptions(pairs);
    expect(o).toMatchObject({ useSnakeTypeName: false, snakeToCamelTypeNames: false, fileSuffix: ".pb", typePrefix: "T", messageSuffix: "Msg" });
    expect(o.importMappings.get("foo/bar.proto")).toBe("@acme/bar");
    expect(parseTsProtoOptions(["snakeToCamel=keys_json"]).snakeToCamelTypeNames).toBe(true);
  });

  it.each([
    ["bogus=1", /unknown option "bogus"/],
    ["useSnakeTypeName=yes", /true or false/],
    ["snakeToCamel=camel", /snakeToCamel must be/],
    ["fileSuffix=a/b", /fileSuffix must be/],
    ["typePrefix=a-b", /identifier characters/],
    ["onlyTypes=true", /encode\/decode/],
    ["outputEncodeMethods=decode-only", /encode and decode/],
    ["runtime_import=", /module specifier/],
    ["Mfoo.proto=", /needs a module/],
  ])("refuses %s", (pair, message) => {
    expect(() => parse(pair)).toThrow(message);
  });
});

describe("normalizeParameter", () => {
  it("defaults target to ts", () => {
    expect(normalizeParameter("")).toBe("target=ts");
    expect(normalizeParameter("import_extension=js")).toBe("target=ts,import_extension=js");
    expect(normalizeParameter("target=js+dts")).toBe("target=js+dts");
  });

  it("turns ts-proto's importSuffix into import_extension", () => {
    expect(normalizeParameter("importSuffix=.js")).toBe("target=ts,import_extension=js");
    expect(normalizeParameter("importSuffix=")).toBe("target=ts,import_extension=none");
    expect(normalizeParameter("importSuffix=.js,import_extension=js")).toBe("target=ts,import_extension=js");
  });

  it("refuses suffixes it cannot honour and disagreeing options", () => {
    expect(() => normalizeParameter("importSuffix=.mjs")).toThrow(/importSuffix "", ".js" or ".ts"/);
    expect(() => normalizeParameter("importSuffix=.js,import_extension=none")).toThrow(/disagree/);
    expect(() => normalizeParameter("map_imports=a.proto:b")).toThrow(/use M<file>.proto=<module>/);
  });
});
