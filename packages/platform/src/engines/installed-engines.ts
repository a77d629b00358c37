import { EngineRegistry } from "@quanta/core/engines";
import { duckdbEngine } from "@quanta/engine-duckdb/manifest";
import { postgresEngine } from "@quanta/engine-postgres/manifest";

/**
 * The engines this installation serves servers with, for the console and the platform alike.
 * Adding an engine is its package (which exports a manifest) and one line here.
 */
export const installedEngines = new EngineRegistry([duckdbEngine, postgresEngine]);
