import type { Format, ImportInput } from "../format.js";
import { readDocument } from "../text-source.js";

/** A document whose top level says `openapi: 3.x` (YAML or JSON); Swagger 2.0 and others are not. */
function looksLikeOpenApi(input: ImportInput): boolean {
  const head = new TextDecoder().decode(input.bytes.subarray(0, 4096));
  if (!/(^|\n|[{,]\s*)["']?openapi["']?\s*:\s*["']?3\./.test(head)) return false;
  const src = readDocument(input);
  const value = src.value as Record<string, unknown> | undefined;
  return (
    src.readable &&
    typeof value === "object" &&
    value !== null &&
    typeof value.openapi === "string" &&
    /^3\./.test(value.openapi)
  );
}

export const format: Format = {
  name: "openapi",
  title: "OpenAPI",
  importer: {
    description:
      "OpenAPI 3.0 or 3.1 (YAML or JSON) to ODCS v3.1.0: one schema object per object schema of components.schemas",
    target: "odcs",
    input: "document",
    options: [
      {
        name: "schemas",
        description:
          "Comma-separated names (keys or titles) of the component schemas to import (default: every object schema)",
      },
      {
        name: "required",
        description:
          "When a property is required: listed (in the object's required list and not nullable, the JSON Schema meaning) or non-null (every property whose type excludes null, for documents that list none, like Quanta's export)",
        choices: ["listed", "non-null"],
        default: "listed",
      },
    ],
    detect: looksLikeOpenApi,
    run: async (input, options) => {
      const src = readDocument(input);
      if (!src.readable) return { value: {}, issues: src.issues };
      const { importOpenApi } = await import("./import.js");
      return importOpenApi(src, options);
    },
  },
  exporter: {
    description:
      "an OpenAPI 3.1 document for reading the contract's data through the product's harness (consume route, typed rows, bearer auth, errors)",
    options: [
      { name: "baseUrl", description: "URL of the Quanta server", default: "http://localhost:8080" },
      {
        name: "product",
        description: "the data product's id (default: --product's id, else the contract's dataProduct, else its id)",
      },
      {
        name: "port",
        description: "the output port serving the contract (default: the product's port with this contractId)",
      },
      { name: "schema", description: "only this schema object (default: every one)" },
    ],
    run: async (input) => (await import("./export.js")).exportOpenApi(input),
  },
};
