import type { Format } from "../format.js";
import { postgresOptions } from "../infer/options.js";

export const format: Format = {
  name: "duckdb",
  title: "DuckDB database",
  importer: {
    description:
      "Infers a contract from the tables of a DuckDB database file, opened read-only: declared types, NOT NULL, keys, foreign keys, CHECK constraints and comments, observed facts marked as suggestions.",
    target: "odcs",
    input: "data",
    options: postgresOptions.map((o) => (o.name === "schema" ? { ...o, default: "main" } : o)),
    run: async (input, options, env) => (await import("./import.js")).importDuckDb(input, options, env),
  },
};
