import { parse as parseYaml } from "yaml";
import { isObject, type JsonObject, orderKeys } from "../convert-context.js";

/** How many example values a property gets from example rows. */
export const maxExamplesPerProperty = 3;

/** Splits CSV text (RFC 4180 quoting) into records; the first record is the header. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = "";
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") endField();
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endField();
      if (row.some((f) => f !== "")) rows.push(row);
      row = [];
    } else field += c;
    i++;
  }
  endField();
  if (row.some((f) => f !== "")) rows.push(row);
  return rows;
}

/** Rows (column → value) from CSV text; records whose width differs from the header are skipped. */
export function csvRows(text: string): JsonObject[] {
  const [header, ...records] = parseCsv(text);
  if (!header) return [];
  return records
    .filter((r) => r.length === header.length)
    .map((r) => Object.fromEntries(header.map((h, i) => [h.trim(), r[i] === "" ? null : r[i]])));
}

/** Example data in any form DCS allows (CSV text, JSON/YAML text, a row, a list of rows) → rows. */
export function exampleRows(data: unknown, type?: string): JsonObject[] {
  if (Array.isArray(data)) return data.filter(isObject);
  if (isObject(data)) return [data];
  if (typeof data !== "string") return [];
  const kind = type?.toLowerCase();
  if (kind === "json" || kind === "yaml") {
    try {
      return exampleRows(parseYaml(data, { version: "1.2" }));
    } catch {
      return [];
    }
  }
  return csvRows(data);
}

const coerce: Readonly<Record<string, (v: string) => unknown>> = {
  integer: (v) => (/^-?\d+$/.test(v) ? Number(v) : v),
  number: (v) => (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(v) ? Number(v) : v),
  boolean: (v) => (v === "true" ? true : v === "false" ? false : v),
};

/**
 * ODCS has examples per property, not per object: the first few distinct values of each column
 * become `examples` of properties that have none yet.
 */
export function distributeExamples(
  properties: JsonObject[],
  rows: readonly JsonObject[],
  keyOrder: readonly string[],
): void {
  for (const prop of properties) {
    if (prop.examples !== undefined || typeof prop.name !== "string") continue;
    const seen = new Set<string>();
    const values: unknown[] = [];
    for (const row of rows) {
      let v = row[prop.name];
      if (v === undefined || v === null) continue;
      const conv = typeof v === "string" ? coerce[String(prop.logicalType)] : undefined;
      if (conv && typeof v === "string") v = conv(v);
      const key = JSON.stringify(v);
      if (seen.has(key)) continue;
      seen.add(key);
      values.push(v);
      if (values.length >= maxExamplesPerProperty) break;
    }
    if (values.length === 0) continue;
    prop.examples = values;
    orderKeys(prop, keyOrder);
  }
}
