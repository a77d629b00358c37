import type { EngineManifest } from "@quanta/core/engines";

/**
 * The DuckDB engine, as the registry knows it. Loading this file costs nothing: the native driver
 * is imported by `load()`, when a server of one of these types is used.
 */
export const duckdbEngine: EngineManifest = {
  name: "duckdb",
  serverTypes: ["local", "duckdb", "s3", "gcs", "azure"],
  dialect: "duckdb",
  capabilities: { files: true, database: false, cancel: true },
  load: async () => (await import("./duckdb-connection.js")).openDuckDb,
  loadReader: async (options) => new (await import("./consume/duckdb-reader.js")).DuckDbReader(options),
  loadRowRewriter: async () => (await import("./retention/duckdb-row-rewriter.js")).duckDbRowRewriter,
};
