import type { Issue, Path } from "../issues.js";
import { closest } from "../lint/closest.js";
import type { Obj } from "../read.js";
import type { SourceDocument } from "./source.js";

/**
 * The field checks Quanta's own file formats (policies, pipelines) share: every issue placed at
 * its file:line:column, codes prefixed by the format (`policy-field-unknown`, `pipeline-…`).
 */
export class FieldReader {
  readonly issues: Issue[] = [];
  constructor(
    readonly src: SourceDocument,
    private readonly prefix: string,
  ) {}

  error(path: Path, code: string, message: string, key = false): void {
    this.issues.push(this.src.at(path, code, "error", message, { key }));
  }

  /** Each field not in `allowed`, with the closest allowed name as a hint. */
  unknownFields(value: Obj, path: Path, allowed: readonly string[], what: string): void {
    for (const key of Object.keys(value)) {
      if (allowed.includes(key)) continue;
      const hint = closest(key, allowed);
      this.error(
        [...path, key],
        `${this.prefix}-field-unknown`,
        `unknown field "${key}" in ${what}${hint ? `; did you mean "${hint}"?` : `; allowed: ${allowed.join(", ")}`}`,
        true,
      );
    }
  }

  /** A non-empty string field; a missing one is an error only when `required`. */
  text(value: Obj, path: Path, field: string, required: boolean): string | undefined {
    const v = value[field];
    if (v === undefined) {
      if (required) this.error(path, `${this.prefix}-field-missing`, `missing required field "${field}"`);
      return undefined;
    }
    if (typeof v !== "string" || v.trim() === "") {
      this.error([...path, field], `${this.prefix}-field-invalid`, `"${field}" must be a non-empty string`);
      return undefined;
    }
    return v;
  }
}
