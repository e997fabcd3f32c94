// Another process's CPU time and memory, read from Linux's /proc (NaN elsewhere).
import { readFileSync } from "node:fs";

/** User + system CPU time of a process in µs, from /proc/<pid>/stat (clock ticks of 1/100 s). */
export function processCpuUs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return NaN;
  }
}

/** A process's resident set now (VmRSS) and its peak so far (VmHWM), MB. */
export function processRssMB(pid: number | undefined): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kB = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rss: (kB("VmRSS") * 1024) / 1e6, peak: (kB("VmHWM") * 1024) / 1e6 };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}
