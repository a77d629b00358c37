import { DuckDbDialect, UnprocessableError } from "@quanta/core";
import type { DuckDBConnection } from "./duckdb-api.js";
import { remoteExtension } from "./sources.js";

const dialect = new DuckDbDialect();

/**
 * Options every DuckDB instance Quanta opens starts with: DuckDB would otherwise download and load
 * a known extension by itself the moment SQL names it (an `ATTACH` of a remote database, a
 * `s3://` path), before any lock-down. Quanta never downloads an extension.
 */
export const instanceOptions: Readonly<Record<string, string>> = {
  autoinstall_known_extensions: "false",
  autoload_known_extensions: "false",
};

/** What a locked-down instance may still touch on disk. */
export interface ReadableRoots {
  /** Files it may read. */
  files: readonly string[];
  /** Folders it may read (a glob's or a Hive partition's root) and write (a sandbox's output). */
  directories: readonly string[];
}

/**
 * The one lock-down of every DuckDB instance Quanta opens for SQL it did not write (contract rules,
 * consumer queries, uploads): after it, file access is limited to `roots`, no extension installs or
 * loads, and the configuration is locked, so no statement can widen any of it again. With no
 * roots (a database file), no file outside the database is readable at all.
 */
export async function lockDown(conn: DuckDBConnection, roots?: ReadableRoots): Promise<void> {
  const list = (paths: readonly string[]) => `[${paths.map((p) => dialect.stringLiteral(p)).join(", ")}]`;
  if (roots && (roots.files.length > 0 || roots.directories.length > 0)) {
    await conn.run(`SET allowed_paths = ${list(roots.files)}`);
    await conn.run(`SET allowed_directories = ${list(roots.directories)}`);
  }
  await conn.run("SET enable_external_access = false");
  await conn.run("SET autoinstall_known_extensions = false");
  await conn.run("SET autoload_known_extensions = false");
  await conn.run("SET lock_configuration = true");
}

/** The roots of a set of `readableRoot`s, split by kind. */
export function rootsOf(
  roots: readonly { kind: "file" | "directory"; path: string }[],
  extraDirectories: readonly string[] = [],
): ReadableRoots {
  return {
    files: roots.filter((r) => r.kind === "file").map((r) => r.path),
    directories: [...roots.filter((r) => r.kind === "directory").map((r) => r.path), ...extraDirectories],
  };
}

/**
 * Loads the extensions DuckDB needs to read `paths` (httpfs for `s3://`, `gs://`, `https://`;
 * azure for `az://`, `abfss://`), before the lock-down forbids loading any. Nothing is downloaded:
 * an extension must already be in DuckDB's extension directory (`QUANTA_DUCKDB_EXTENSION_DIR`
 * when set). A missing one is an `UnprocessableError` (code `extension-missing`) saying how to
 * provide it, never a crash.
 */
export async function loadRemoteExtensions(
  conn: DuckDBConnection,
  paths: readonly string[],
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<void> {
  const needed = new Map<string, string>();
  for (const p of paths) {
    const ext = remoteExtension(p);
    if (ext !== undefined && !needed.has(ext)) needed.set(ext, p);
  }
  if (needed.size === 0) return;
  const dir = env.QUANTA_DUCKDB_EXTENSION_DIR;
  if (dir) await conn.run(`SET extension_directory = ${dialect.stringLiteral(dir)}`);
  for (const [ext, path] of needed) {
    const scheme = `${/^([a-z][a-z0-9+.-]*):/i.exec(path)?.[1] ?? ""}://`;
    if (ext.startsWith("(")) {
      throw new UnprocessableError(`DuckDB cannot read ${scheme} paths ${ext}`, { code: "extension-missing" });
    }
    try {
      await conn.run(`LOAD ${ext}`);
    } catch {
      const version = String((await conn.runAndReadAll("SELECT version()")).getRows()[0]?.[0] ?? "");
      const platform = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;
      const where = dir ?? `~/.duckdb/extensions/${version}/${platform}`;
      throw new UnprocessableError(
        `reading ${scheme} data needs DuckDB's ${ext} extension, which is not installed on this server: put ${ext}.duckdb_extension (DuckDB ${version}, ${platform}) into ${where}, or point QUANTA_DUCKDB_EXTENSION_DIR at a folder holding it`,
        { code: "extension-missing", details: { extension: ext } },
      );
    }
  }
}
