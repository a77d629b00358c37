import { join } from "node:path";

/**
 * Where a product's files are on this server. A product published from a folder on disk (the demo
 * mesh) reads its `local` servers there; any other product under `<dataDir>/products/<id>/`, laid
 * out like its folder (contract files' relative paths resolve from `contracts/`, as in git).
 * Ingested batches always go under `<dataDir>/ingest/`, never into a product folder.
 */
export class DataLocator {
  private readonly folders = new Map<string, string>();

  constructor(readonly dataDir: string) {}

  /** Registers the folder a product was published from (start-up of `quanta serve --demo`). */
  setFolder(productId: string, folder: string): void {
    this.folders.set(productId, folder);
  }

  /** The folder a product's `local` server paths resolve in; nothing outside it is ever read. */
  rootOf(productId: string): string {
    return this.folders.get(productId) ?? join(this.dataDir, "products", safeName(productId));
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
