import type { FormatOption } from "../format.js";
import { defaultMaxValues } from "./limits.js";

const values: FormatOption = {
  name: "values",
  description: `Suggest a value set for a text or integer column with at most this many distinct values (0: never)`,
  default: String(defaultMaxValues),
};

/** Options of the file importers (parquet, csv, json). */
export const fileOptions: readonly FormatOption[] = [
  { name: "name", description: "Name of the schema object (default: the file's name without extension)" },
  values,
];

/** Options of the PostgreSQL importer. */
export const postgresOptions: readonly FormatOption[] = [
  { name: "schema", description: "Database schema whose tables are read", default: "public" },
  { name: "table", description: "Tables to read, comma-separated (default: every table and view of the schema)" },
  values,
];
