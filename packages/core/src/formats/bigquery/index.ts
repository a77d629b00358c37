import type { Format } from "../format.js";
import { readDocument } from "../text-source.js";

export const format: Format = {
  name: "bigquery",
  title: "BigQuery table schema",
  importer: {
    description: "BigQuery table schema JSON (bq show --schema) or table resource, into one schema object",
    target: "odcs",
    input: "document",
    options: [{ name: "name", description: "Name of the schema object (default: the table id, else the file name)" }],
    run: async (input, options) => {
      const src = readDocument(input);
      const { importBigQuery } = await import("./import.js");
      return importBigQuery(src, options);
    },
  },
  exporter: {
    description: "BigQuery table schema JSON, one file per schema object",
    options: [
      {
        name: "shape",
        description: "fields: the list bq mk --schema takes; table: a table resource with description and keys",
        choices: ["fields", "table"],
        default: "fields",
      },
      { name: "schema", description: "Export only the schema object with this name (default: every object)" },
    ],
    run: async (input) => {
      const { exportBigQuery } = await import("./export.js");
      return exportBigQuery(input);
    },
  },
};
