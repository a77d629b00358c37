import { isObject } from "../convert-context.js";
import type { Format } from "../format.js";
import { readDocument } from "../text-source.js";

export const format: Format = {
  name: "unity",
  title: "Databricks Unity Catalog table",
  importer: {
    description:
      "A Unity Catalog table as databricks tables get (or the REST API) answers: columns from type_json or type_text, NOT NULL, partitions, keys",
    target: "odcs",
    input: "document",
    options: [{ name: "name", description: "Name of the schema object (default: the table's name)" }],
    detect: (input) => {
      const src = readDocument(input);
      const v = src.readable ? src.value : undefined;
      return isObject(v) && Array.isArray(v.columns) && typeof v.catalog_name === "string";
    },
    run: async (input, options) => {
      const src = readDocument(input);
      const { importUnity } = await import("./import.js");
      return importUnity(src, options);
    },
  },
  exporter: {
    description: "A Unity Catalog table as databricks tables create takes it, one file per schema object",
    options: [
      { name: "schema", description: "Export only the schema object with this name (default: every object)" },
      { name: "catalog", description: "catalog_name to write (default: the contract's databricks server's catalog)" },
      { name: "database", description: "schema_name to write (default: the contract's databricks server's schema)" },
    ],
    run: async (input) => {
      const { exportUnity } = await import("./export.js");
      return exportUnity(input);
    },
  },
};
