import type { Format } from "../format.js";
import { type SqlDialectName, sqlDialects } from "./dialects.js";

const dialects = ["postgres", "duckdb", "snowflake", "bigquery"] as const;

export const format: Format = {
  name: "sql",
  title: "SQL DDL",
  importer: {
    description:
      "CREATE TABLE statements (PostgreSQL, DuckDB, Snowflake, BigQuery) with their keys, constraints and comments",
    target: "odcs",
    input: "text",
    options: [
      { name: "dialect", description: "SQL dialect the DDL is written in", choices: dialects, default: "postgres" },
      { name: "id", description: "id (and name) of the contract; default: the file's name without extension" },
    ],
    detect: (input) => {
      const head = new TextDecoder().decode(input.bytes.subarray(0, 65536));
      return /^\s*create\s+(or\s+replace\s+)?((temp|temporary|transient|unlogged|global|local)\s+)*table\b/im.test(
        head,
      );
    },
    run: async (input, options) => {
      const { importSql } = await import("./import.js");
      const dialect = (options.dialect ?? "postgres") as (typeof dialects)[number];
      return importSql(input, { dialect, ...(options.id ? { id: options.id } : {}) });
    },
  },
  exporter: {
    description: "CREATE TABLE statements with keys, NOT NULL, UNIQUE, CHECK and comments, tables in reference order",
    options: [{ name: "dialect", description: "SQL dialect to write", choices: sqlDialects, default: "postgres" }],
    run: async (input) => {
      const { exportSql } = await import("./export.js");
      return exportSql(input, (input.options.dialect ?? "postgres") as SqlDialectName);
    },
  },
};
