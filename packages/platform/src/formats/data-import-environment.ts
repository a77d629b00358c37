import type { DataInspectionRequest, ImportEnvironment, InspectedData } from "@quanta/core";

export interface DataImportEnvironmentOptions {
  /** Folder relative file paths and globs are read from (the console's working folder). */
  baseDir: string;
  /** Where credentials are looked up (PGPASSWORD, QUANTA_POSTGRES_…); absent: the process's environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * The password the user gave with the database URL, taken out of it so no message can show it;
   * it wins over every variable of `env`.
   */
  password?: string | undefined;
}

/**
 * What the `data` importers (parquet, csv, json, postgres) read real data through: the engine
 * registry, never a driver of its own. Files are read by the engine serving `local` servers,
 * databases by the one serving `postgres`; each loads only when used.
 */
export function dataImportEnvironment(options: DataImportEnvironmentOptions): ImportEnvironment {
  const env = options.env ?? process.env;
  return {
    async inspect(request: DataInspectionRequest): Promise<InspectedData> {
      if (request.source === "duckdb") {
        const { inspectDuckDb } = await import("./inspect-duckdb.js");
        return inspectDuckDb(request, options.baseDir, env);
      }
      if (request.source === "postgres") {
        const { inspectPostgres } = await import("./inspect-postgres.js");
        return inspectPostgres(request, options.baseDir, env, options.password);
      }
      const { inspectFiles } = await import("./inspect-files.js");
      return inspectFiles(request.source, request, options.baseDir, env);
    },
  };
}
