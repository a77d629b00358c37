import type { Issue } from "../issues.js";
import type { DocumentKind } from "../spec/kinds.js";
import type { SourceDocument } from "../spec/source.js";

/** A converted document (plain data in the target standard) and what the conversion noticed. */
export interface ImportResult {
  value: Record<string, unknown>;
  issues: Issue[];
}

/** One foreign format Quanta can read and convert to ODCS or ODPS. */
export interface ImportFormat {
  /** The name users pass to `quanta import --format`. */
  name: string;
  description: string;
  /** The standard the conversion produces. */
  target: Extract<DocumentKind, "odcs" | "odps">;
  /** True when a parsed document looks like this format (used when no format is named). */
  detect?(src: SourceDocument): boolean;
  import(src: SourceDocument): ImportResult;
}
