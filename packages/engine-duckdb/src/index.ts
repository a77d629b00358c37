export { DuckDbConnection, openDuckDb } from "./duckdb-connection.js";
export { judgeParseTree } from "./duckdb-guard.js";
export { fileFormats, formatOf, readableRoot, readerSql } from "./sources.js";

/** Server `type`s this engine serves. */
export const duckdbServerTypes: readonly string[] = ["local", "duckdb"];
export { type GenerateOptions, generateProductData, generateScript } from "./product-data.js";
