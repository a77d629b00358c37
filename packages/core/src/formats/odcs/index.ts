import type { Format } from "../format.js";
import { readDocument } from "../text-source.js";

export const format: Format = {
  name: "odcs",
  title: "ODCS (other versions)",
  importer: {
    description: "ODCS v2.2.x (dataset/columns) and v3.0.x contracts, converted to ODCS v3.1.0",
    target: "odcs",
    input: "document",
    // Only the versions Quanta does not read natively: a v3.1 contract needs no import.
    detect: (input) => {
      const value = readDocument(input).value as Record<string, unknown> | undefined;
      return value?.kind === "DataContract" && /^v?(2\.2|3\.0)\./.test(String(value.apiVersion ?? ""));
    },
    run: async (input) => {
      const src = readDocument(input);
      if (!src.readable) return { value: {}, issues: src.issues };
      const { importOdcs } = await import("./import.js");
      return importOdcs(src);
    },
  },
  exporter: {
    description: "the contract at another ODCS version: v3.1.0 (normalized), v3.0.2 or v2.2.2",
    options: [
      {
        name: "version",
        description: "ODCS version to write; what an older version cannot hold goes to customProperties or a warning",
        choices: ["v3.1.0", "v3.0.2", "v2.2.2"],
        default: "v3.1.0",
      },
    ],
    run: async (input) => (await import("./export.js")).exportOdcs(input),
  },
};
