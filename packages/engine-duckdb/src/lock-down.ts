import { DuckDbDialect } from "@quanta/core";
import type { DuckDBConnection } from "./duckdb-api.js";

const dialect = new DuckDbDialect();

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
