import type { Format } from "../format.js";
import { readText } from "../text-source.js";

export const format: Format = {
  name: "dbml",
  title: "DBML",
  importer: {
    description: "DBML (dbdiagram.io): tables, columns, keys, enums and refs",
    target: "odcs",
    input: "text",
    detect: (input) =>
      /\.dbml$/i.test(input.file) ||
      /^\s*(?:\/\/[^\n]*\n\s*)*(?:Project|Table|Enum)\s+("[^"]*"|[\w.]+)[^\n]*\{/.test(
        new TextDecoder().decode(input.bytes.subarray(0, 4096)),
      ),
    run: async (input) => {
      const src = readText(input, "DBML");
      if (!("text" in src)) return { value: {}, issues: [src] };
      const { importDbml } = await import("./import.js");
      return importDbml(src);
    },
  },
  exporter: {
    description: "DBML: one Table per schema object, enums for value sets, Refs for foreign keys",
    options: [
      {
        name: "schema",
        description: "Export only the schema object with this name (default: every object)",
      },
    ],
    run: async (input) => {
      const { exportDbml } = await import("./export.js");
      return exportDbml(input);
    },
  },
};
