import type { Format } from "../format.js";
import { readText } from "../text-source.js";

export const format: Format = {
  name: "spark",
  title: "Spark schema",
  importer: {
    description: "Spark StructType JSON (df.schema.json()) or DDL column list, into one schema object",
    target: "odcs",
    input: "text",
    options: [{ name: "name", description: "Name of the schema object (default: the file name)" }],
    run: async (input, options) => {
      const src = readText(input, "a Spark schema");
      if (!("text" in src)) return { value: {}, issues: [src] };
      const { importSpark } = await import("./import.js");
      return importSpark(input.file, src.text, options);
    },
  },
  exporter: {
    description: "Spark schema as StructType JSON or a DDL column list, one file per schema object",
    options: [
      {
        name: "syntax",
        description: "json: StructType JSON (DataType.fromJson); ddl: a column list (StructType.fromDDL)",
        choices: ["json", "ddl"],
        default: "json",
      },
      { name: "schema", description: "Export only the schema object with this name (default: every object)" },
    ],
    run: async (input) => {
      const { exportSpark } = await import("./export.js");
      return exportSpark(input);
    },
  },
};
