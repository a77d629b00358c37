import type { Format } from "../format.js";
import { readDocument } from "../text-source.js";

const sectionLine = /^checks\s+for\s+\S/im;

export const format: Format = {
  name: "sodacl",
  title: "SodaCL checks",
  importer: {
    description: "SodaCL checks YAML (`checks for <table>:`) to an ODCS v3.1.0 contract with executable quality rules",
    target: "odcs",
    input: "document",
    options: [
      { name: "id", description: "Id of the contract (default: the file's name)" },
      { name: "version", description: "Version of the contract", default: "1.0.0" },
    ],
    detect: (input) => sectionLine.test(new TextDecoder().decode(input.bytes.subarray(0, 64 * 1024))),
    run: async (input, options) => {
      const src = readDocument(input);
      if (!src.readable) return { value: {}, issues: src.issues };
      const { importSodaCl } = await import("./import.js");
      return importSodaCl(src, options);
    },
  },
  exporter: {
    description: "SodaCL checks YAML: one `checks for <table>:` section per schema object",
    options: [{ name: "schema", description: "Only this schema object (by name or physicalName)" }],
    run: async (input) => {
      const { exportSodaCl } = await import("./export.js");
      return exportSodaCl(input);
    },
  },
};
