export { DuckDbConnection, openDuckDb } from "./duckdb-connection.js";
export { judgeParseTree } from "./duckdb-guard.js";
export { duckdbEngine } from "./manifest.js";

export { type GenerateOptions, generateProductData, generateScript } from "./product-data.js";
export { fileFormats, formatOf, readableRoot, readerSql } from "./sources.js";
