export const duckdbEngine = "duckdb";
