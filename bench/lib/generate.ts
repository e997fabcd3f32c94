// bench/gen/: the bench proto for every stack and server (bench/buf.gen.yaml; safestub's plugin needs `npm run build`).
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export function generateBenchCode(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  const bin = `${root}/node_modules/.bin`;
  execFileSync(`${bin}/buf`, ["generate", "--template", "bench/buf.gen.yaml"], { cwd: root, stdio: "inherit", env: { ...process.env, PATH: `${bin}:${process.env["PATH"] ?? ""}` } });
}
