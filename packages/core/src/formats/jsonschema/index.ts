import type { Format } from "../format.js";
import { readDocument } from "../text-source.js";

/**
 * A JSON document that names a JSON Schema dialect, for detection without a `--format`; an
 * OpenAPI document (which may hold `$schema` in its components) is OpenAPI's.
 */
function looksLikeJsonSchema(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 4096));
  if (/^\s*\{\s*"(openapi|swagger)"\s*:/.test(head)) return false;
  return /"\$schema"\s*:\s*"https?:\/\/json-schema\.org\//.test(head);
}

export const format: Format = {
  name: "jsonschema",
  title: "JSON Schema",
  importer: {
    description: "JSON Schema (draft 2020-12, 2019-09 or draft-07) to ODCS v3.1.0: objects, types, ranges, value sets",
    target: "odcs",
    input: "document",
    options: [
      {
        name: "objects",
        description:
          "What becomes a schema object: the root object schema, each property of the root (arrays of objects), or auto (properties when every root property is an array of objects)",
        choices: ["auto", "root", "properties"],
        default: "auto",
      },
    ],
    detect: (input) => looksLikeJsonSchema(input.bytes),
    run: async (input, options) => {
      const src = readDocument(input);
      if (!src.readable) return { value: {}, issues: src.issues };
      const { importJsonSchema } = await import("./import.js");
      return importJsonSchema(src, options);
    },
  },
  exporter: {
    description: "One JSON Schema (2020-12) document per contract that the rows of the data validate against",
    options: [
      {
        name: "schema",
        description:
          "The schema object to export (its name or physical name); the document is then that object's row schema",
      },
    ],
    run: async (input) => {
      const { exportJsonSchema } = await import("./export.js");
      return exportJsonSchema(input);
    },
  },
};
