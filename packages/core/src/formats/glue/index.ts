import { isObject } from "../convert-context.js";
import type { Format } from "../format.js";
import { readDocument } from "../text-source.js";

export const format: Format = {
  name: "glue",
  title: "AWS Glue table",
  importer: {
    description:
      "An AWS Glue table as aws glue get-table prints it ({Table}, the bare Table, or {TableInput}): Hive types, partition keys, S3 location and format",
    target: "odcs",
    input: "document",
    options: [{ name: "name", description: "Name of the schema object (default: the table's name)" }],
    detect: (input) => {
      const src = readDocument(input);
      const v = src.readable ? src.value : undefined;
      const t = isObject(v) ? (isObject(v.Table) ? v.Table : isObject(v.TableInput) ? v.TableInput : v) : undefined;
      return isObject(t) && isObject(t.StorageDescriptor) && typeof t.Name === "string";
    },
    run: async (input, options) => {
      const src = readDocument(input);
      const { importGlue } = await import("./import.js");
      return importGlue(src, options);
    },
  },
  exporter: {
    description: "The TableInput aws glue create-table --table-input takes, one file per schema object",
    options: [{ name: "schema", description: "Export only the schema object with this name (default: every object)" }],
    run: async (input) => {
      const { exportGlue } = await import("./export.js");
      return exportGlue(input);
    },
  },
};
