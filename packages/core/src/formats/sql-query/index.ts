import type { Format } from "../format.js";

export const format: Format = { name: "sql-query", title: "SQL query" };
