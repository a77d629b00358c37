import type { Format } from "../format.js";
import { readDocument } from "../text-source.js";

/** JSON whose first keys look like an Avro record, for detection without a `--format`. */
function looksLikeAvro(input: { file: string; bytes: Uint8Array }): boolean {
  if (/\.avsc$/i.test(input.file)) return true;
  const head = new TextDecoder().decode(input.bytes.subarray(0, 4096));
  return /^\s*[[{]/.test(head) && /"type"\s*:\s*"record"/.test(head) && /"fields"\s*:/.test(head);
}

const namespaceOption = {
  name: "namespace",
  description: "Avro namespace of the records (dotted names; made valid when needed)",
};
const schemaOption = {
  name: "schema",
  description: "The schema object to export (its name or physical name) as the only record",
};

export const format: Format = {
  name: "avro",
  title: "Avro schema",
  importer: {
    description:
      "Avro schema JSON (.avsc) to ODCS v3.1.0: records, nested records, arrays, maps, enums, unions, logical types",
    target: "odcs",
    input: "document",
    detect: looksLikeAvro,
    run: async (input, options) => {
      const src = readDocument(input);
      if (!src.readable) return { value: {}, issues: src.issues };
      const { importAvro } = await import("./import.js");
      return importAvro(src, options);
    },
  },
  exporter: {
    description: "An Avro schema (.avsc): one record per schema object, or a single record with schema=",
    options: [schemaOption, namespaceOption],
    run: async (input) => {
      const { exportAvro } = await import("./export.js");
      return exportAvro(input);
    },
  },
};

export { namespaceOption, schemaOption };
