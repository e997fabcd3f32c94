// Command-line flags in the form every gRPC interop client and server takes: `--name=value`.

export interface Flags {
  /** The value of `--name=value`, or `fallback` when the flag is absent. */
  get(name: string, fallback?: string): string | undefined;
}

/**
 * Parses `--name=value` (and bare `--name`, meaning "true"). Flags outside
 * `known` are reported on stderr and ignored, so that a harness passing extra
 * flags of other implementations still works. Throws on a positional argument.
 */
export function parseFlags(argv: readonly string[], known: readonly string[]): Flags {
  const values = new Map<string, string>();
  for (const arg of argv) {
    const m = /^--([A-Za-z0-9_-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(arg)} (flags look like --name=value)`);
    const name = m[1]!;
    if (!known.includes(name)) {
      process.stderr.write(`warning: ignoring unknown flag --${name}\n`);
      continue;
    }
    values.set(name, m[2] ?? "true");
  }
  return { get: (name, fallback) => values.get(name) ?? fallback };
}

/** Reads a port flag; a value outside 0-65535 is a UsageError. */
export function parsePort(value: string | undefined, flag: string): number {
  const port = Number(value);
  if (value === undefined || value === "" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--${flag} needs a port number (0-65535), got ${JSON.stringify(value ?? "")}`);
  }
  return port;
}

/** `host:port`, with an IPv6 host in brackets. */
export function hostPort(host: string, port: number): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/**
 * Runs an interop program's `main`. A returned status ends the process with
 * it (a server returns nothing and keeps running); a UsageError exits 2 with
 * a usage line, any other failure exits 1.
 */
export function runProgram(main: () => Promise<number | void>): void {
  main().then(
    (status) => {
      if (status !== undefined) process.exit(status);
    },
    (err: unknown) => {
      console.error(err instanceof UsageError ? `usage: ${err.message}` : err);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}

/** A bad command line: the program prints it and exits with status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
