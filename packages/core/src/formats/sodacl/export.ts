import { parse as parseYaml } from "yaml";
import { unitSeconds } from "../../duration-units.js";
import type { Path } from "../../issues.js";
import type { DataQuality, SchemaObject, SchemaProperty } from "../../spec/odcs/model.js";
import { foreignKeysOf, physicalNameOf, primaryKeyOf, propertiesOf } from "../contract-view.js";
import { ConvertContext, isObject, type JsonObject } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { snakeCase } from "../names.js";
import { toYamlText } from "../yaml-output.js";
import { operatorSymbols, thresholdOfRule } from "./quality-items.js";
import { sodaFormats } from "./soda-checks.js";

type Check = string | JsonObject;

/** A name as SodaCL reads it: bare when it is a plain identifier, else double-quoted. */
export function sodaName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** ODCS threshold → SodaCL threshold text (`= 0`, `between 1 and 5`, `< 5%`). */
function thresholdText(rule: JsonObject, percent: boolean): string | undefined {
  const t = thresholdOfRule(rule);
  if (!t) return undefined;
  const pct = percent ? "%" : "";
  if (t.operator === "mustBeBetween" || t.operator === "mustNotBeBetween") {
    if (!Array.isArray(t.value) || t.value.length !== 2) return undefined;
    const [lo, hi] = t.value;
    return `${t.operator === "mustNotBeBetween" ? "not " : ""}between ${lo}${pct} and ${hi}${pct}`;
  }
  if (typeof t.value !== "number") return undefined;
  return `${operatorSymbols[t.operator]} ${t.value}${pct}`;
}

const formatNames: Readonly<Record<string, string>> = { email: "email", uuid: "uuid" };

/**
 * ODCS contract → SodaCL checks: required → missing_count = 0, unique → duplicate_count = 0,
 * primary keys, value sets, ranges, lengths and patterns → invalid_count with valid …, row counts,
 * sql rules → user-defined metrics (placeholders resolved to the table), foreign keys → reference
 * checks, freshness SLAs → freshness. What SodaCL cannot say is a warning at the contract's line.
 */
export function exportSodaCl(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const contract = input.contract;
  const all = Array.isArray(contract.schema) ? contract.schema : [];
  const wanted = input.options.schema;
  const doc: JsonObject = {};
  all.forEach((object, i) => {
    if (typeof object?.name !== "string") return;
    if (wanted !== undefined && object.name !== wanted && object.physicalName !== wanted) return;
    const table = physicalNameOf(object);
    const checks = objectChecks(ctx, object, ["schema", i], table);
    for (const [j, sla] of (contract.slaProperties ?? []).entries()) {
      const check = freshnessCheck(ctx, sla as unknown as JsonObject, ["slaProperties", j], object, all.length);
      if (check) checks.push(check);
    }
    const key = `checks for ${sodaName(table)}`;
    // A check written twice (a foreign key and the rule that checks it) is one check.
    const seen = new Set<string>();
    doc[key] = [...((doc[key] as Check[]) ?? []), ...checks].filter((c) => {
      const id = JSON.stringify(c);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
  });
  if (wanted !== undefined && Object.keys(doc).length === 0) {
    ctx.error(["schema"], "export-schema-unknown", `no schema object ${JSON.stringify(wanted)}`);
    return { files: [], issues: ctx.issues };
  }
  const text = toYamlText(doc);
  return { files: [{ path: "checks.yml", content: text, mediaType: "application/yaml" }], issues: ctx.issues };
}

function objectChecks(ctx: ConvertContext, object: SchemaObject, path: Path, table: string): Check[] {
  const checks: Check[] = [];
  const properties = propertiesOf(object);
  const columns = properties.map((p) => physicalNameOf(p));
  if (columns.length > 0) {
    const types: JsonObject = {};
    for (const p of properties) {
      const type = p.physicalType ?? p.logicalType;
      if (type !== undefined) types[physicalNameOf(p)] = type;
    }
    checks.push({
      schema: {
        fail: {
          "when required column missing": columns,
          ...(Object.keys(types).length ? { "when wrong column type": types } : {}),
        },
      },
    });
  }
  const pk = primaryKeyOf(object).map((p) => physicalNameOf(p));
  if (pk.length > 0) {
    checks.push({
      [`duplicate_count(${pk.map(sodaName).join(", ")}) = 0`]: {
        name: "primary key",
        attributes: { primaryKey: true },
      },
    });
  }
  properties.forEach((p, j) => {
    propertyChecks(ctx, p, [...path, "properties", j], table, pk, checks);
  });
  for (const fk of foreignKeysOf(object)) {
    if (fk.from.length !== 1) {
      ctx.warn(
        [...path, "relationships"],
        "sodacl-export-unmapped",
        "SodaCL reference checks have one column; a composite foreign key was not exported",
      );
      continue;
    }
    const from = properties.find((p) => p.name === fk.from[0]);
    checks.push(
      `values in (${sodaName(from ? physicalNameOf(from) : (fk.from[0] ?? ""))}) must exist in ${sodaName(fk.toObject)} (${sodaName(fk.toProperties[0] ?? "")})`,
    );
  }
  (object.quality ?? []).forEach((rule, k) => {
    const check = ruleCheck(ctx, rule as JsonObject, [...path, "quality", k], table, undefined);
    if (check) checks.push(...check);
  });
  return checks;
}

function propertyChecks(
  ctx: ConvertContext,
  p: SchemaProperty,
  path: Path,
  table: string,
  pk: readonly string[],
  checks: Check[],
): void {
  const column = physicalNameOf(p);
  const col = sodaName(column);
  if (p.required === true) checks.push(`missing_count(${col}) = 0`);
  if (p.unique === true && !(pk.length === 1 && pk[0] === column)) checks.push(`duplicate_count(${col}) = 0`);
  const options = (p.logicalTypeOptions ?? {}) as JsonObject;
  const valid: JsonObject = {};
  const optionPath = [...path, "logicalTypeOptions"];
  for (const [key, value] of Object.entries(options)) {
    if (key === "minimum" || key === "maximum") {
      if (typeof value === "number") valid[key === "minimum" ? "valid min" : "valid max"] = value;
      else
        ctx.warn(
          [...optionPath, key],
          "sodacl-export-unmapped",
          `SodaCL valid ${key === "minimum" ? "min" : "max"} takes a number; ${key} was not exported`,
        );
    } else if (key === "minLength") valid["valid min length"] = value;
    else if (key === "maxLength") valid["valid max length"] = value;
    else if (key === "pattern") valid["valid regex"] = value;
    else if (key === "format") {
      const name = typeof value === "string" ? formatNames[value] : undefined;
      if (name && sodaFormats[name]) valid["valid format"] = name;
      else
        ctx.warn(
          [...optionPath, key],
          "sodacl-export-unmapped",
          `SodaCL has no valid format ${JSON.stringify(value)}; it was not exported`,
        );
    } else if (key !== "timezone" && key !== "defaultTimezone") {
      ctx.warn([...optionPath, key], "sodacl-export-unmapped", `SodaCL has no check for ${key}; it was not exported`);
    }
  }
  if (valid["valid format"] !== undefined && valid["valid regex"] !== undefined) {
    delete valid["valid format"];
    ctx.warn(
      [...optionPath, "format"],
      "sodacl-export-unmapped",
      "SodaCL takes a format or a regex, not both; the format was not exported",
    );
  }
  if (Object.keys(valid).length > 0) checks.push({ [`invalid_count(${col}) = 0`]: valid });
  (p.quality ?? []).forEach((rule, k) => {
    const check = ruleCheck(ctx, rule as JsonObject, [...path, "quality", k], table, column);
    if (check) checks.push(...check);
  });
  if (propertiesOf(p).length > 0 || p.items !== undefined) {
    ctx.warn(path, "sodacl-export-unmapped", `SodaCL checks columns; the nested fields of ${p.name} were not exported`);
  }
}

/** One ODCS quality rule → SodaCL checks, or undefined (with a warning) when SodaCL cannot say it. */
function ruleCheck(
  ctx: ConvertContext,
  rule: DataQuality & JsonObject,
  path: Path,
  table: string,
  column: string | undefined,
): Check[] | undefined {
  const type = rule.type ?? "library";
  const percent = rule.unit === "percent" || rule.unit === "%";
  const threshold = thresholdText(rule, percent);
  const config: JsonObject = {};
  if (typeof rule.name === "string") config.name = rule.name;
  if (rule.severity === "warning" || rule.severity === "info") {
    ctx.info(path, "sodacl-export-severity", "a warning rule is written as a failing check");
  }
  const withConfig = (check: string, more: JsonObject = {}): Check =>
    Object.keys({ ...config, ...more }).length > 0 ? { [check]: { ...config, ...more } } : check;
  if (type === "custom") {
    if (rule.engine !== "soda") {
      ctx.warn(path, "sodacl-export-unmapped", `a ${String(rule.engine)} rule has no SodaCL form; it was not exported`);
      return undefined;
    }
    return customChecks(ctx, rule.implementation, path);
  }
  if (type === "text") {
    ctx.warn(path, "sodacl-export-unmapped", "a text rule is not a check; it was not exported");
    return undefined;
  }
  if (threshold === undefined) {
    ctx.warn(path, "sodacl-export-unmapped", "the rule's threshold has no SodaCL form; it was not exported");
    return undefined;
  }
  const source = (Array.isArray(rule.customProperties) ? (rule.customProperties as unknown as JsonObject[]) : []).find(
    (c) => c?.property === "sodaCheck",
  )?.value;
  if (type === "sql" && (typeof source === "string" || isObject(source))) return [source as Check];
  if (type === "sql") {
    const query = resolve(String(rule.query ?? ""), table, column);
    const metric = snakeCase(typeof rule.name === "string" ? rule.name : "") || `sql_metric_${String(path.at(-1))}`;
    return [withConfig(`${metric} ${threshold}`, { [`${metric} query`]: query })];
  }
  const metric = rule.metric ?? (rule as JsonObject).rule;
  const args = isObject(rule.arguments) ? rule.arguments : {};
  const col = column === undefined ? undefined : sodaName(column);
  const family = (name: string) => `${name}_${percent ? "percent" : "count"}`;
  switch (metric) {
    case "rowCount":
      return [withConfig(`row_count ${threshold}`)];
    case "nullValues":
      if (col === undefined) break;
      return [withConfig(`${family("missing")}(${col}) ${threshold}`)];
    case "missingValues":
      if (col === undefined) break;
      return [
        withConfig(
          `${family("missing")}(${col}) ${threshold}`,
          Array.isArray(args.missingValues) ? { "missing values": args.missingValues } : {},
        ),
      ];
    case "invalidValues": {
      if (col === undefined) break;
      const valid: JsonObject = {};
      if (Array.isArray(args.validValues)) valid["valid values"] = args.validValues;
      if (typeof args.pattern === "string") valid["valid regex"] = args.pattern;
      return [withConfig(`${family("invalid")}(${col}) ${threshold}`, valid)];
    }
    case "duplicateValues": {
      const cols = Array.isArray(args.properties) ? args.properties.map((c) => sodaName(String(c))) : col ? [col] : [];
      if (cols.length === 0) break;
      return [withConfig(`${family("duplicate")}(${cols.join(", ")}) ${threshold}`)];
    }
  }
  ctx.warn(path, "sodacl-export-unmapped", `the rule (${String(metric)}) has no SodaCL form here; it was not exported`);
  return undefined;
}

/** The checks a soda custom rule carries (its `checks for …` lists, a list, or their YAML text). */
function customChecks(ctx: ConvertContext, implementation: unknown, path: Path): Check[] | undefined {
  let value = implementation;
  if (typeof value === "string") {
    try {
      value = parseYaml(value);
    } catch {
      value = undefined;
    }
  }
  if (Array.isArray(value)) return value as Check[];
  if (isObject(value)) {
    const lists = Object.values(value).filter(Array.isArray);
    if (lists.length > 0) return lists.flat() as Check[];
  }
  ctx.warn(
    path,
    "sodacl-export-unmapped",
    "the soda rule's implementation is not a list of checks; it was not exported",
  );
  return undefined;
}

/** `{object}`, `${table}`, `{property}` … → the table and column they stand for. */
function resolve(query: string, table: string, column: string | undefined): string {
  return query.replace(/\$?\{\s*(object|table|model|schema|property|column|field)\s*\}/g, (whole, name: string) => {
    if (["object", "table", "model", "schema"].includes(name)) return quoteSql(table);
    return column === undefined ? whole : quoteSql(column);
  });
}

function quoteSql(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** A freshness SLA on one of this object's columns → `freshness(column) < 1d`. */
function freshnessCheck(
  ctx: ConvertContext,
  sla: JsonObject,
  path: Path,
  object: SchemaObject,
  objects: number,
): Check | undefined {
  if (sla.property !== "freshness" && sla.property !== "latency") return undefined;
  if (typeof sla.element !== "string") return undefined;
  const seconds =
    typeof sla.value === "number"
      ? sla.value * (unitSeconds[String(sla.unit ?? "d").toLowerCase()] ?? Number.NaN)
      : Number.NaN;
  for (const part of sla.element.split(",").map((e) => e.trim())) {
    const dot = part.lastIndexOf(".");
    const owner = dot > 0 ? part.slice(0, dot) : objects === 1 ? object.name : undefined;
    if (owner !== object.name && owner !== object.physicalName) continue;
    if (!Number.isFinite(seconds)) {
      ctx.warn(
        path,
        "sodacl-export-unmapped",
        "the freshness SLA's value or unit has no SodaCL form; it was not exported",
      );
      return undefined;
    }
    return `freshness(${sodaName(dot > 0 ? part.slice(dot + 1) : part)}) < ${duration(seconds)}`;
  }
  return undefined;
}

function duration(seconds: number): string {
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3600],
    ["m", 60],
  ] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
