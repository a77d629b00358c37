import type { DataContract, DataQuality, QualityMetric } from "./model.js";

/** ODCS v3.0 library rule names and the v3.1 metric that replaced each. */
const ruleToMetric: Record<string, QualityMetric> = {
  nullCheck: "nullValues",
  nullValues: "nullValues",
  missingValues: "missingValues",
  duplicateCount: "duplicateValues",
  duplicateValues: "duplicateValues",
  uniqueCheck: "duplicateValues",
  validValues: "invalidValues",
  invalidValues: "invalidValues",
  rowCount: "rowCount",
  countCheck: "rowCount",
};

/**
 * Reads an ODCS document (v3.1.x or v3.0.x) into the v3.1 model, without changing the input:
 * - `team` as a list of members (v3.0, deprecated in v3.1) becomes `{ members: [...] }`;
 * - a library check with the v3.0 `rule` and no `metric` gets the matching v3.1 `metric`
 *   (`rule` is kept, so nothing the author wrote is lost);
 * - `slaDefaultElement` (deprecated in v3.1) is copied to SLA properties without an `element`;
 * - `apiVersion` becomes `v3.1.0` (the declared version is reported by `loadDocument`).
 * The value is assumed to be schema-valid; anything unexpected is passed through untouched.
 */
export function normalizeOdcs(value: unknown): DataContract {
  if (!isRecord(value)) return value as DataContract;
  const doc = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  if (typeof doc.apiVersion === "string" && /^v3\.0\.\d+$/.test(doc.apiVersion)) doc.apiVersion = "v3.1.0";
  if (Array.isArray(doc.team)) doc.team = { members: doc.team };
  if (typeof doc.slaDefaultElement === "string" && Array.isArray(doc.slaProperties)) {
    for (const sla of doc.slaProperties)
      if (isRecord(sla) && sla.element === undefined) sla.element = doc.slaDefaultElement;
  }
  if (Array.isArray(doc.schema)) {
    for (const object of doc.schema) {
      if (!isRecord(object)) continue;
      normalizeQuality(object.quality);
      if (Array.isArray(object.properties)) object.properties.forEach(normalizeProperty);
    }
  }
  return doc as unknown as DataContract;
}

function normalizeProperty(property: unknown): void {
  if (!isRecord(property)) return;
  normalizeQuality(property.quality);
  if (Array.isArray(property.properties)) property.properties.forEach(normalizeProperty);
  normalizeProperty(property.items);
}

function normalizeQuality(quality: unknown): void {
  if (!Array.isArray(quality)) return;
  for (const check of quality as DataQuality[]) {
    if (!isRecord(check) || check.metric !== undefined || typeof check.rule !== "string") continue;
    const metric = ruleToMetric[check.rule];
    if (metric) check.metric = metric;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
