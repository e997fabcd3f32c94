// A deterministic slice of the Google APIs corpus (google-proto-files): every
// file with services under the directories of corpus.ts's sliceDirs, generated
// by the real message plugin (ts-proto, or protoc-gen-es with
// messages=protobuf-es) and safestub bins, then type-checked with tsc 7 (the
// native compiler; TypeScript 5.9 takes several times longer on ts-proto's output).
// The whole corpus: `npm run corpus` (see corpus.ts).
import { describe, expect, it } from "vitest";
import { messagePlugins, runCorpus, sliceDirs, type CorpusReport } from "./corpus.js";
import { root } from "./helpers.js";
import { join } from "node:path";

describe.each(Object.values(messagePlugins))("Google APIs corpus (slice), $name messages", (messages) => {
  it("generates every service and type-checks with 0 errors", () => {
    const report: CorpusReport = runCorpus(sliceDirs, join(root, `out/plugin-tests/corpus-${messages.name}`), "7", messages);
    const { output, ...tsc } = report.tsc;
    console.log(`corpus slice: ${JSON.stringify({ ...report, tsc })}`);
    expect(report.targets).toBeGreaterThan(80);
    expect(report.safestub.files).toBe(report.targets);
    expect(output.split("\n").slice(0, 20).join("\n")).toBe("");
    expect(report.tsc.errors).toBe(0);
  }, 900_000);
});
