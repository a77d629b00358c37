import type { Format } from "../format.js";

export const format: Format = {
  name: "pandera",
  title: "pandera DataFrame models",
  exporter: {
    description:
      "Python pandera DataFrameModel classes of the schema objects: dtypes, nullability, uniqueness, ranges, lengths, patterns and value sets",
    options: [{ name: "schema", description: "Export only the schema object with this name or physical name" }],
    run: async (input) => (await import("./export.js")).exportPandera(input),
  },
};
