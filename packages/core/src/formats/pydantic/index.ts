import type { Format } from "../format.js";

export const format: Format = {
  name: "pydantic",
  title: "Pydantic",
  exporter: {
    description:
      "Pydantic v2 models (BaseModel) of the schema objects, with aliases, Literal value sets and constraints",
    options: [{ name: "schema", description: "Export only the schema object with this name or physical name" }],
    run: async (input) => (await import("./export.js")).exportPydantic(input),
  },
};
