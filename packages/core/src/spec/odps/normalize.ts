import type { DataProduct } from "./model.js";

/**
 * Reads an ODPS document (v1.0.0 or v0.9.0) into the v1.0 model without changing the input.
 * The official v1.0.0 schema accepts v0.9.0 documents with the same shape, so only `apiVersion`
 * changes (the declared version is reported by `loadDocument`).
 */
export function normalizeOdps(value: unknown): DataProduct {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value as DataProduct;
  const doc = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  if (doc.apiVersion === "v0.9.0") doc.apiVersion = "v1.0.0";
  return doc as unknown as DataProduct;
}
