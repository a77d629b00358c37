import { detectKind } from "../../spec/kinds.js";
import type { Format } from "../format.js";
import { readDocument } from "../text-source.js";

export const format: Format = {
  name: "dcs",
  title: "Data Contract Specification",
  importer: {
    description: "Data Contract Specification 0.9.x to 1.2.1 (datacontract.com), converted to ODCS v3.1.0",
    target: "odcs",
    input: "document",
    detect: (input) => detectKind(readDocument(input).value)?.kind === "dcs",
    run: async (input) => {
      const src = readDocument(input);
      if (!src.readable) return { value: {}, issues: src.issues };
      const { importDcs } = await import("./import.js");
      return importDcs(src);
    },
  },
  exporter: {
    description:
      "ODCS v3.1 to Data Contract Specification 1.2.1 (models, fields, servers, servicelevels, terms, quality)",
    options: [],
    run: async (input) => (await import("./export.js")).exportDcs(input),
  },
};
