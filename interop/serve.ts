// What both interop servers do once bound: announce the port and shut down gracefully on a signal.

/**
 * Prints `banner` (tests parse the port from it) and, on the first SIGTERM or
 * SIGINT, runs `shutdown` and exits 0; a second signal exits at once.
 */
export function serveUntilSignalled(banner: string, shutdown: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stderr.write(`${signal}: shutting down\n`);
    shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error("shutdown failed:", err);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  // Announce only once the handlers are in place: a harness may signal as soon as it reads the port.
  process.stdout.write(`${banner}\n`);
}
