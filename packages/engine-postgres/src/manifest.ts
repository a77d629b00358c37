import type { EngineManifest } from "@quanta/core/engines";

/**
 * The PostgreSQL engine, as the registry knows it. Loading this file costs nothing: `pg` is imported
 * by `load()`, `loadReader()`, `loadGrants()` and `loadPipelineBuilder()`, when a server of one of
 * these types is used.
 */
export const postgresEngine: EngineManifest = {
  name: "postgres",
  serverTypes: ["postgres", "postgresql"],
  dialect: "postgres",
  capabilities: { files: false, database: true, cancel: true },
  load: async () => (await import("./postgres-connection.js")).openPostgres,
  loadReader: async (options) => new (await import("./consume/postgres-reader.js")).PostgresReader(options),
  loadGrants: async () => new (await import("./grants/store-grants.js")).PostgresGrants(),
  loadPipelineBuilder: async () =>
    new (await import("./pipeline/postgres-pipeline-builder.js")).PostgresPipelineBuilder(),
};
