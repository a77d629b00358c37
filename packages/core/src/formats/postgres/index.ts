import type { Format } from "../format.js";
import { postgresOptions } from "../infer/options.js";

export const format: Format = {
  name: "postgres",
  title: "PostgreSQL database",
  importer: {
    description:
      "Infers a contract from the tables of a live PostgreSQL schema (a postgresql:// URL, password from PGPASSWORD): declared types, NOT NULL, keys, foreign keys and comments, observed facts marked as suggestions.",
    target: "odcs",
    input: "data",
    options: postgresOptions,
    run: async (input, options, env) =>
      (await import("../infer/import-data.js")).importData("postgres", input, options, env),
  },
};
