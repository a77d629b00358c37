import type { Format } from "../format.js";

export const format: Format = {
  name: "mermaid",
  title: "Mermaid ER diagram",
  exporter: {
    description:
      "A Mermaid erDiagram of the schema objects: attributes, PK/FK/UK markers and foreign-key relationships",
    options: [{ name: "schema", description: "Draw only the schema object with this name or physical name" }],
    run: async (input) => (await import("./export.js")).exportMermaid(input),
  },
};
