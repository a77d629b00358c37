import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "@quanta/core";
import { installedEngines } from "../engines/installed-engines.js";

/** Object-storage URL schemes, and the DuckDB extension that reads each. */
const objectStores: Record<string, string> = {
  s3: "httpfs",
  gs: "httpfs",
  gcs: "httpfs",
  r2: "httpfs",
  az: "azure",
  azure: "azure",
  abfss: "azure",
};

/**
 * The folder Quanta owns for data it stores itself: ingested batches and data published with a
 * product, as immutable port versions (`<root>/<product>/<port>/v<version>-<random>/`). Version
 * rows name their files relative to the root, so a root can be moved or mounted elsewhere, and
 * replicas pointing at the same root share it.
 */
export class StorageRoot {
  /** An absolute local (or mounted) folder. */
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
  }

  /** A path relative to the root as an absolute one; nothing outside the root. */
  resolve(rel: string): string {
    const abs = resolve(this.path, rel);
    if (!this.contains(abs)) throw new Error(`${rel} is outside the storage root ${this.path}`);
    return abs;
  }

  /** An absolute path inside the root as the root-relative path a version row stores. */
  relative(abs: string): string {
    if (!this.contains(abs)) throw new Error(`${abs} is outside the storage root ${this.path}`);
    return relative(this.path, abs).split(sep).join("/");
  }

  contains(abs: string): boolean {
    const rel = relative(this.path, abs);
    return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  }
}

export interface StorageRootOptions {
  /** `--storage-root` / `QUANTA_STORAGE_ROOT`: a path (relative to `cwd`), a `file://` URL or an object-storage URL. */
  given?: string | undefined;
  /** The platform's data directory: the default root is `<dataDir>/lake`. */
  dataDir: string;
  cwd?: string;
}

/**
 * The storage root the platform starts with. An object-storage URL needs DuckDB's httpfs or azure
 * extension, which Quanta never downloads: without it start-up stops with an `InputError` saying
 * which extension and where to put it. With it, start-up still stops: Quanta writes versions
 * through the file system, so a bucket is used by mounting it (s3fs, gcsfuse, blobfuse2) and
 * passing the mount's path.
 */
export async function openStorageRoot(options: StorageRootOptions): Promise<StorageRoot> {
  const given = options.given?.trim();
  if (!given) return new StorageRoot(join(options.dataDir, "lake"));
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(given)?.[1]?.toLowerCase();
  if (scheme === undefined) return new StorageRoot(resolve(options.cwd ?? process.cwd(), given));
  if (scheme === "file") return new StorageRoot(fileURLToPath(given));
  const extension = objectStores[scheme];
  if (extension === undefined) {
    throw new InputError(
      `the storage root ${given} is not a folder or an object-storage URL (${Object.keys(objectStores)
        .map((s) => `${s}://`)
        .join(", ")})`,
      { code: "storage-root-invalid" },
    );
  }
  const missing = await extensionMissing(given);
  if (missing) {
    // The engine's own words name its version, platform and folder when it can; ours otherwise.
    const how = missing.includes("QUANTA_DUCKDB_EXTENSION_DIR")
      ? missing.replace(/,? then try again$/, "")
      : `DuckDB's ${extension} extension is not installed on this server (${missing}): put ${extension}.duckdb_extension for this DuckDB version and platform into DuckDB's extension directory (~/.duckdb/extensions/<version>/<platform>/), or into a folder named by QUANTA_DUCKDB_EXTENSION_DIR`;
    throw new InputError(
      `the storage root ${given} needs DuckDB's ${extension} extension: ${how}; Quanta never downloads extensions. Or mount the bucket and pass the mount's path as --storage-root`,
      { code: "extension-missing", details: { extension } },
    );
  }
  throw new InputError(
    `the storage root ${given}: Quanta writes port versions through the file system and cannot write to ${scheme}:// directly yet; mount the bucket (s3fs, gcsfuse, blobfuse2) and pass the mount's path as --storage-root`,
    { code: "storage-root-unsupported" },
  );
}

/**
 * Why DuckDB cannot read `url` (its extension is not there), or undefined when it can: asked of the
 * DuckDB engine through the registry, as a contract test of a file at that URL would.
 */
async function extensionMissing(url: string): Promise<string | undefined> {
  const engine = installedEngines.forType("local");
  if (!engine) return "no installed engine reads files";
  const open = await engine.load();
  const probe = `${url.replace(/\/+$/, "")}/.quanta-probe.parquet`;
  try {
    const connection = await open({
      server: { type: "local", path: probe, format: "parquet" },
      objects: [{ name: "probe" }],
      baseDir: "/",
    });
    await connection.close();
    return undefined;
  } catch (e) {
    return (e as Error).message.split("\n")[0];
  }
}
