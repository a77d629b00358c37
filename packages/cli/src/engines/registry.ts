import type { ConnectionFactory } from "@quanta/core";

/** An engine the console can test contracts with, loaded only when a server of its type is used. */
export interface EngineEntry {
  name: string;
  /** Imported lazily: a native engine costs start-up time only when it runs. */
  load(): Promise<ConnectionFactory>;
}

/** Server `type` → engine. Engines register themselves here (one line each). */
export const engines: Map<string, EngineEntry> = new Map();

export function registerEngine(types: readonly string[], entry: EngineEntry): void {
  for (const type of types) engines.set(type, entry);
}

const duckdb: EngineEntry = { name: "duckdb", load: async () => (await import("@quanta/engine-duckdb")).openDuckDb };
registerEngine(["local", "duckdb"], duckdb);
registerEngine(["postgres", "postgresql"], {
  name: "postgres",
  load: async () => (await import("@quanta/engine-postgres")).openPostgres,
});
