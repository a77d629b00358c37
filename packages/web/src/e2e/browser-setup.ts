import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** What the marketplace's browser tests share: Debian's Chromium, the repository, the built app. */
export const chromiumPath = "/usr/bin/chromium";
export const repo = fileURLToPath(new URL("../../../../", import.meta.url));
export const webDir = join(repo, "packages/web");
export const shots = join(repo, "test-results/screenshots");

/** Why the browser tests of `suite` cannot run here (undefined: they can); under CI that is an error. */
export function chromiumUnavailable(suite: string): string | undefined {
  const unavailable = existsSync(chromiumPath) ? undefined : "Debian chromium not installed (apt-get install chromium)";
  if (unavailable && process.env.CI) throw new Error(`CI must run the ${suite} e2e tests: ${unavailable}`);
  return unavailable;
}

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "e2e") continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** The tests check what `npm run build` ships; a missing or stale build is rebuilt first. */
export function ensureBuilt(): void {
  const index = join(webDir, "dist/index.html");
  const sources = Math.max(newest(join(webDir, "src")), statSync(join(webDir, "index.html")).mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync("npx", ["vite", "build", "--logLevel", "warn"], {
    cwd: webDir,
    env: { ...process.env, NODE_ENV: "production" },
    stdio: "inherit",
    timeout: 240_000,
  });
}
