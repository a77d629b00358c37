import { createHash } from "node:crypto";
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Migration } from "../migrations/index.js";

const prefix = "quanta-pglite-template-";

/**
 * A new in-memory PGlite runs initdb (seconds of WASM work); loading a dump of an already
 * initialised and migrated store takes a fraction of that. The dump is cached in the temp folder
 * under a key of the PGlite build and every migration's SQL, so any change makes a new one.
 */
export function templateKey(migrations: readonly Migration[]): string {
  const hash = createHash("sha256");
  try {
    const engine = statSync(fileURLToPath(import.meta.resolve("@electric-sql/pglite")));
    hash.update(`${engine.size}:${engine.mtimeMs}`);
  } catch {
    hash.update("unknown-pglite");
  }
  for (const m of migrations) hash.update(`${m.id}\u0000${m.sql}\u0000`);
  return hash.digest("hex").slice(0, 16);
}

const pathOf = (key: string) => join(tmpdir(), `${prefix}${key}.tar.gz`);

export function readTemplate(key: string): Blob | undefined {
  try {
    return new Blob([readFileSync(pathOf(key))]);
  } catch {
    return undefined;
  }
}

/** Written atomically (rename), so parallel test processes never read half a file. */
export async function writeTemplate(key: string, dump: Blob): Promise<void> {
  const target = pathOf(key);
  const partial = `${target}.${process.pid}.partial`;
  try {
    writeFileSync(partial, new Uint8Array(await dump.arrayBuffer()));
    renameSync(partial, target);
    // Old templates (earlier migrations) are dead weight.
    for (const f of readdirSync(tmpdir())) {
      if (f.startsWith(prefix) && f.endsWith(".tar.gz") && join(tmpdir(), f) !== target)
        rmSync(join(tmpdir(), f), { force: true });
    }
  } catch {
    rmSync(partial, { force: true }); // a cache: failing to write it only costs time
  }
}
