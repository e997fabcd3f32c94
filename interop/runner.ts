// Runs interop cases one after the other and prints one line per case.
import { describe } from "./check.js";
import { CASE_NAMES, type CaseName } from "./spec.js";
import { UsageError } from "./flags.js";

export type Cases<Name extends string = CaseName> = Record<Name, () => Promise<void>>;

/** A case that has not settled after this long fails, so a client never hangs. */
const CASE_TIMEOUT_MS = 20_000;

/**
 * The cases `--test_case` names among `known` (the interop cases unless told) and `byNameOnly`:
 * one name, a comma-separated list, or `all` (every case of `known`).
 */
export function selectCases<Name extends string = CaseName>(testCase: string | undefined, known: readonly Name[] = CASE_NAMES as readonly string[] as readonly Name[], byNameOnly: readonly Name[] = []): Name[] {
  if (testCase === undefined || testCase === "") throw new UsageError("--test_case is required (a case name, or all)");
  if (testCase === "all") return [...known];
  const names: readonly string[] = [...known, ...byNameOnly];
  return testCase.split(",").map((name) => {
    if (!names.includes(name)) throw new UsageError(`unknown test case ${JSON.stringify(name)}; known: ${names.join(", ")}, all`);
    return name as Name;
  });
}

/**
 * Runs `names` in order, printing `PASS <case> (<ms> ms)` or
 * `FAIL <case>: <reason>` on stdout. Resolves to true if every case passed.
 */
export async function runCases<Name extends string>(cases: Cases<Name>, names: readonly Name[]): Promise<boolean> {
  let allPassed = true;
  for (const name of names) {
    const started = performance.now();
    try {
      await withTimeout(cases[name](), CASE_TIMEOUT_MS);
      process.stdout.write(`PASS ${name} (${Math.round(performance.now() - started)} ms)\n`);
    } catch (err) {
      allPassed = false;
      process.stdout.write(`FAIL ${name}: ${describe(err).replace(/\s+/g, " ")}\n`);
    }
  }
  return allPassed;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
