import type { Issue } from "../issues.js";
import type { DocumentKind } from "./kinds.js";
import { schemaIssues } from "./schema-issues.js";
import { officialSchemas } from "./schema-validators.js";
import type { SourceDocument } from "./source.js";

const rootNames: Record<DocumentKind, string> = {
  odcs: "the data contract",
  odps: "the data product",
  dcs: "the data contract",
  dps: "the data product",
};

/**
 * Validates a parsed document against the official JSON Schema of `kind` (vendored, compiled
 * ahead of time). The verdict is exactly the official schema's; `format` is not asserted (see
 * docs/adr/0002-schema-validation.md). Returns no issues for an unreadable document: its parse
 * issues already say why.
 */
export function validateSchema(src: SourceDocument, kind: DocumentKind): Issue[] {
  if (!src.readable) return [];
  const official = officialSchemas[kind];
  if (official.validate(src.value)) return [];
  const issues = schemaIssues(src, official.validate.errors ?? [], official.schema, rootNames[kind]);
  // The verdict must never be lost in collapsing: an invalid document always yields an error.
  return issues.length > 0
    ? issues
    : [src.at([], "schema-invalid", "error", `does not conform to the ${official.title} schema`)];
}
