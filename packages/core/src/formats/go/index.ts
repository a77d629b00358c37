import type { Format } from "../format.js";

export const format: Format = {
  name: "go",
  title: "Go structs",
  exporter: {
    description: "Go structs of the schema objects with json tags carrying the contract's names, for encoding/json",
    options: [
      { name: "schema", description: "Export only the schema object with this name or physical name" },
      {
        name: "package",
        description: "Go package name (lower case); default: the last word of the contract's id, else contract",
      },
    ],
    run: async (input) => (await import("./export.js")).exportGo(input),
  },
};
