import type { Format } from "../format.js";
import { readDocument } from "../text-source.js";

export const format: Format = {
  name: "iceberg",
  title: "Iceberg table schema",
  importer: {
    description: "Iceberg table schema JSON (spec v2) or table metadata's current schema, into one schema object",
    target: "odcs",
    input: "document",
    options: [{ name: "name", description: "Name of the schema object (default: the file name)" }],
    run: async (input, options) => {
      const src = readDocument(input);
      const { importIceberg } = await import("./import.js");
      return importIceberg(src, options);
    },
  },
  exporter: {
    description: "Iceberg table schema JSON (spec v2) with stable field ids, one file per schema object",
    options: [{ name: "schema", description: "Export only the schema object with this name (default: every object)" }],
    run: async (input) => {
      const { exportIceberg } = await import("./export.js");
      return exportIceberg(input);
    },
  },
};
