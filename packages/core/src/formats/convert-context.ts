import type { Issue, Path, Severity } from "../issues.js";
import type { SourceDocument } from "../spec/source.js";

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A `{ property, value }` entry of an ODCS/ODPS `customProperties` list. */
export interface CustomProperty {
  property: string;
  value: unknown;
  description?: string;
}

/**
 * Collects the issues of one conversion, each pointing at the source node it is about, so a
 * warning like "not mapped" lands on the exact line and column of the DCS/DPS key.
 */
export class ConvertContext {
  readonly issues: Issue[] = [];

  constructor(readonly src: SourceDocument) {}

  report(path: Path, severity: Severity, code: string, message: string, key = true): void {
    this.issues.push(this.src.at(path, code, severity, message, { key }));
  }

  error(path: Path, code: string, message: string): void {
    this.report(path, "error", code, message);
  }

  warn(path: Path, code: string, message: string): void {
    this.report(path, "warning", code, message);
  }

  info(path: Path, code: string, message: string): void {
    this.report(path, "info", code, message);
  }

  /** A string at `path`, or undefined; a non-string scalar is converted, anything else is reported. */
  text(value: unknown, path: Path): string | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    this.warn(path, "import-not-text", "expected text here; the value was not converted");
    return undefined;
  }

  /** A mapping at `path`, or undefined; anything else is an error (the document cannot be read). */
  object(value: unknown, path: Path, what: string): JsonObject | undefined {
    if (value === undefined || value === null) return undefined;
    if (isObject(value)) return value;
    this.error(path, "import-wrong-type", `${what} must be a mapping`);
    return undefined;
  }

  list(value: unknown, path: Path, what: string): unknown[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value;
    this.error(path, "import-wrong-type", `${what} must be a list`);
    return undefined;
  }
}

/** Drops undefined entries and empty lists/objects, keeping key order. */
export function compact<T extends JsonObject>(obj: T): T {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (isObject(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out as T;
}

/** Re-inserts the keys of `obj` (in place) so those named in `order` come first, in that order. */
export function orderKeys(obj: JsonObject, order: readonly string[]): void {
  const entries = Object.entries(obj);
  const rank = (k: string) => {
    const i = order.indexOf(k);
    return i === -1 ? order.length : i;
  };
  entries.sort((a, b) => rank(a[0]) - rank(b[0]));
  for (const [k] of entries) delete obj[k];
  for (const [k, v] of entries) obj[k] = v;
}

/** The order of a property's keys in an imported contract, as the official examples write them. */
export const propertyKeyOrder: readonly string[] = [
  "id",
  "name",
  "businessName",
  "description",
  "logicalType",
  "logicalTypeOptions",
  "physicalName",
  "physicalType",
  "required",
  "unique",
  "primaryKey",
  "primaryKeyPosition",
  "classification",
  "tags",
  "examples",
  "relationships",
  "properties",
  "items",
  "quality",
  "customProperties",
];
