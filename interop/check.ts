// Assertions for the interop cases. They throw CheckFailure with a message
// that says what was expected and what came back; the runner prints it.
import { CODE, PROBE_NOT_REFUSED } from "./spec.js";

export class CheckFailure extends Error {
  override name = "CheckFailure";
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CheckFailure(message);
}

/** Checks that `body` is exactly `size` zero bytes. */
export function checkZeros(body: Uint8Array | undefined, size: number, what: string): void {
  check(body !== undefined, `${what}: no payload`);
  check(body.length === size, `${what}: payload of ${body.length} bytes, want ${size}`);
  check(body.every((b) => b === 0), `${what}: payload is not all zero bytes`);
}

/** Checks that a -bin metadata value holds exactly `want`. */
export function checkBytes(got: unknown, want: Uint8Array, what: string): void {
  check(got instanceof Uint8Array, `${what}: missing (got ${describe(got)})`);
  check(Buffer.from(got).equals(Buffer.from(want)), `${what}: got 0x${Buffer.from(got).toString("hex")}, want 0x${Buffer.from(want).toString("hex")}`);
}

/** The status of a failed call: safestub's RpcError and grpc-js's ServiceError both carry `code` and `details`. */
interface StatusLike {
  code: number;
  details: string;
}

/**
 * Awaits `operation` and checks that it failed with status `code` (and
 * exactly `details`, when given). Returns the error for further checks.
 */
export async function expectStatus(operation: Promise<unknown>, code: number, what: string, details?: string): Promise<StatusLike> {
  let outcome: unknown;
  try {
    outcome = await operation;
  } catch (err) {
    check(isStatus(err), `${what}: failed with a non-status error: ${describe(err)}`);
    check(err.code === code, `${what}: status ${err.code} ${JSON.stringify(err.details)}, want status ${code}`);
    if (details !== undefined) check(err.details === details, `${what}: status message ${JSON.stringify(err.details)}, want ${JSON.stringify(details)}`);
    return err;
  }
  throw new CheckFailure(`${what}: succeeded with ${describe(outcome)}, want status ${code}`);
}

/**
 * The CompressedRequest feature probe: an uncompressed request with
 * expect_compressed true must fail INVALID_ARGUMENT; a server that answers it
 * does not check expect_compressed (PROBE_NOT_REFUSED).
 */
export async function expectProbeRefused(call: Promise<unknown>, what: string): Promise<void> {
  const refused = await call.then(
    () => false,
    () => true,
  );
  check(refused, `${what}: ${PROBE_NOT_REFUSED}`);
  await expectStatus(call, CODE.INVALID_ARGUMENT, `${what} (the uncompressed probe)`);
}

function isStatus(err: unknown): err is StatusLike {
  return typeof err === "object" && err !== null && typeof (err as StatusLike).code === "number" && typeof (err as StatusLike).details === "string";
}

/** A short description of any value for failure messages. */
export function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString("hex")}`;
  if (value === undefined) return "undefined";
  try {
    const json = JSON.stringify(value);
    return json.length > 200 ? `${json.slice(0, 200)}...` : json;
  } catch {
    return String(value);
  }
}
