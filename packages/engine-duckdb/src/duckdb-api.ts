import { createRequire } from "node:module";
import type * as Api from "@duckdb/node-api";

/**
 * `@duckdb/node-api` loaded with `require`: it is CommonJS re-exporting some forty files, and an ESM
 * `import` makes Node lex every one of them for named exports first, about 150 ms of CPU at each
 * `quanta test` (docs/adr/0015-startup.md). The only file of Quanta that loads the driver.
 */
const api: typeof Api = createRequire(import.meta.url)("@duckdb/node-api");

export const DuckDBInstance = api.DuckDBInstance;
export type DuckDBInstance = Api.DuckDBInstance;
export type DuckDBConnection = Api.DuckDBConnection;
export type DuckDBDataChunk = Api.DuckDBDataChunk;
export type DuckDBValue = Api.DuckDBValue;
export const DuckDBTypeId = api.DuckDBTypeId;
export type DuckDBTypeId = Api.DuckDBTypeId;
export const DuckDBDecimalType = api.DuckDBDecimalType;
export type DuckDBDecimalType = Api.DuckDBDecimalType;
export const JsonDuckDBValueConverter = api.JsonDuckDBValueConverter;
