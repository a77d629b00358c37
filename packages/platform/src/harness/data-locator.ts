import { realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import type { VariableLookup } from "@quanta/core/engines";
import { Lake } from "../lake/lake.js";
import { StorageRoot } from "../lake/storage-root.js";

/** Where `${NAME}` references of a server resolve: the platform's secrets of an environment, then the process's. */
export interface VariableSource {
  /** The variables of one environment (`undefined`: servers that name none). */
  forEnvironment(environment: string | undefined): Promise<ResolvedVariables>;
}

export interface ResolvedVariables {
  lookup: VariableLookup;
  /** Whether a name's value is a secret (redacted from every message). */
  isSecret(name: string): boolean;
}

/**
 * The process environment as a variable source: `${NAME}` reads `QUANTA_VAR_NAME`. Only that
 * prefix, never the whole environment: a contract, written by any product team, must not be able
 * to pull the platform's own settings (its database URL, its keys) into a server field.
 */
export const processVariables: VariableSource = {
  async forEnvironment() {
    return {
      lookup: (name) => process.env[`QUANTA_VAR_${name}`],
      isSecret: () => true,
    };
  },
};

export interface DataPlaneOptions {
  /** Folders (outside the product folders) that `local` and `duckdb` servers may read: `QUANTA_DATA_ROOTS`. */
  dataRoots?: readonly string[] | undefined;
  /** The environment whose servers the platform reads first (`QUANTA_ENVIRONMENT`); others only when it has none. */
  environment?: string | undefined;
  variables?: VariableSource | undefined;
  /** The storage Quanta owns (default `<dataDir>/lake`): a port's current version there is what it serves. */
  lake?: Lake | undefined;
}

/**
 * Where a product's data may be on this server, and what locating it may use. A product published
 * from a folder on disk (the demo mesh) reads its relative `local` paths there; any other product
 * under `<dataDir>/products/<id>/`, laid out like its folder (contract files' relative paths resolve
 * from `contracts/`, as in git). Absolute paths must lie under the configured data roots.
 */
export class DataLocator {
  private readonly folders = new Map<string, string>();
  readonly dataRoots: readonly string[];
  readonly environment: string | undefined;
  readonly variables: VariableSource;
  readonly lake: Lake;

  constructor(
    readonly dataDir: string,
    options: DataPlaneOptions = {},
  ) {
    this.dataRoots = (options.dataRoots ?? []).map((r) => resolve(r));
    this.environment = options.environment;
    this.variables = options.variables ?? processVariables;
    this.lake = options.lake ?? new Lake(new StorageRoot(join(dataDir, "lake")));
  }

  /** Registers the folder a product was published from (start-up of `quanta serve --demo`). */
  setFolder(productId: string, folder: string): void {
    this.folders.set(productId, folder);
  }

  /** The folder a product's relative `local` server paths resolve in. */
  rootOf(productId: string): string {
    return this.folders.get(productId) ?? join(this.dataDir, "products", safeName(productId));
  }

  /** Every product's own folder this locator knows, by product id (to refuse a path into another's). */
  productFolders(): ReadonlyMap<string, string> {
    return this.folders;
  }

  ingestDir(productId: string, port: string): string {
    return join(this.dataDir, "ingest", safeName(productId), safeName(port));
  }

  tempDir(): string {
    return join(this.dataDir, "tmp");
  }
}

/** A product or port id as one path segment: nothing that could climb out of the folder. */
export function safeName(id: string): string {
  const cleaned = id.replace(/[^A-Za-z0-9._-]/g, "_");
  return cleaned === "." || cleaned === ".." || cleaned === "" ? `_${cleaned}` : cleaned;
}

/** The real path of `path`, or of its nearest existing ancestor joined with the rest (symlinks resolved). */
export function realPathOf(path: string): string {
  const parts: string[] = [];
  let at = resolve(path);
  for (;;) {
    try {
      return join(realpathSync(at), ...parts.reverse());
    } catch {
      const parent = resolve(at, "..");
      if (parent === at) return resolve(path);
      parts.push(at.slice(parent.length).replace(/^[/\\]/, ""));
      at = parent;
    }
  }
}
