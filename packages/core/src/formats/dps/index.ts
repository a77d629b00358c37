import { detectKind } from "../../spec/kinds.js";
import type { Format } from "../format.js";
import { readDocument } from "../text-source.js";

export const format: Format = {
  name: "dps",
  title: "Data Product Specification",
  importer: {
    description: "Data Product Specification 0.0.1, converted to ODPS v1.0.0",
    target: "odps",
    input: "document",
    detect: (input) => detectKind(readDocument(input).value)?.kind === "dps",
    run: async (input) => {
      const src = readDocument(input);
      if (!src.readable) return { value: {}, issues: src.issues };
      const { importDps } = await import("./import.js");
      return importDps(src);
    },
  },
};
