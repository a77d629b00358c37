import type { Format } from "../format.js";

export const format: Format = { name: "duckdb", title: "DuckDB database" };
