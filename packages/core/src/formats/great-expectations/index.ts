import type { Format } from "../format.js";
import { readDocument } from "../text-source.js";

/** GX 0.x keys, or a GX 1.x expectation (`"type": "expect_…"`). */
const suiteKeys = /"(expectation_suite_name|expectation_type)"\s*:|"type"\s*:\s*"expect_/;

export const format: Format = {
  name: "great-expectations",
  title: "Great Expectations suite",
  importer: {
    description:
      "Great Expectations suite JSON (GX 0.x or 1.x) to an ODCS v3.1.0 contract with executable quality rules",
    target: "odcs",
    input: "document",
    options: [
      {
        name: "data_asset",
        description: "Name of the schema object the suite checks (default: the suite name up to its first dot)",
      },
      { name: "id", description: "Id of the contract (default: the suite name)" },
      { name: "version", description: "Version of the contract", default: "1.0.0" },
    ],
    detect: (input) => suiteKeys.test(new TextDecoder().decode(input.bytes.subarray(0, 64 * 1024))),
    run: async (input, options) => {
      const src = readDocument(input);
      if (!src.readable) return { value: {}, issues: src.issues };
      const { importSuite } = await import("./import.js");
      return importSuite(src, options);
    },
  },
  exporter: {
    description: "One Great Expectations suite (JSON) per schema object",
    options: [
      { name: "schema", description: "Only this schema object (by name or physicalName)" },
      { name: "version", description: "GX suite format: 1 (GX 1.x) or 0 (GX 0.x)", choices: ["1", "0"], default: "1" },
    ],
    run: async (input) => {
      const { exportSuites } = await import("./export.js");
      return exportSuites(input);
    },
  },
};
