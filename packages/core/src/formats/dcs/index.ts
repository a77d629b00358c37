import { detectKind } from "../../spec/kinds.js";
import type { Format } from "../format.js";
import { readDocument } from "../text-source.js";
import { importDcs } from "./import.js";

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
      return src.readable ? importDcs(src) : { value: {}, issues: src.issues };
    },
  },
};
