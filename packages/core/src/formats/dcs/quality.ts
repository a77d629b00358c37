import { parse as parseYaml } from "yaml";
import type { Path } from "../../issues.js";
import { type ConvertContext, type CustomProperty, compact, isObject, type JsonObject } from "../convert-context.js";
import { toYamlText } from "../yaml-output.js";

/** ODCS comparison operators, with the deprecated DCS spellings they replace. */
const operators: Readonly<Record<string, string>> = {
  mustBe: "mustBe",
  mustNotBe: "mustNotBe",
  mustBeGreaterThan: "mustBeGreaterThan",
  mustBeGreaterOrEqualTo: "mustBeGreaterOrEqualTo",
  mustBeGreaterThanOrEqualTo: "mustBeGreaterOrEqualTo",
  mustBeLessThan: "mustBeLessThan",
  mustBeLessOrEqualTo: "mustBeLessOrEqualTo",
  mustBeLessThanOrEqualTo: "mustBeLessOrEqualTo",
  mustBeBetween: "mustBeBetween",
  mustNotBeBetween: "mustNotBeBetween",
};

/** DCS keys that ODCS DataQuality has under the same name. */
const sharedKeys = ["name", "description", "severity", "businessImpact", "method", "schedule", "scheduler", "unit"];

const dimensions = new Set([
  "accuracy",
  "completeness",
  "conformity",
  "consistency",
  "coverage",
  "timeliness",
  "uniqueness",
]);

/** DCS library metrics (and the older rule names) → ODCS library metrics. */
const libraryMetrics: Readonly<Record<string, string>> = {
  nullValues: "nullValues",
  nullCount: "nullValues",
  missingValues: "missingValues",
  missingCount: "missingValues",
  invalidValues: "invalidValues",
  invalidCount: "invalidValues",
  duplicateValues: "duplicateValues",
  duplicateCount: "duplicateValues",
  rowCount: "rowCount",
};

/** Threshold implied by a library metric written without one. */
const defaultThreshold: Readonly<Record<string, JsonObject>> = {
  nullValues: { mustBe: 0 },
  missingValues: { mustBe: 0 },
  invalidValues: { mustBe: 0 },
  duplicateValues: { mustBe: 0 },
  rowCount: { mustBeGreaterThan: 0 },
};

/** Engine name of the DCS vendor quality types (ODCS: `type: custom` + `engine`). */
const engineOf: Readonly<Record<string, string>> = {
  sodacl: "soda",
  soda: "soda",
  montecarlo: "montecarlo",
  "great-expectations": "great-expectations",
  great_expectations: "great-expectations",
};

type Converter = (ctx: ConvertContext, q: JsonObject, path: Path) => JsonObject | undefined;

const converters: Readonly<Record<"text" | "sql" | "library" | "custom", Converter>> = {
  text: (ctx, q, path) => {
    if (typeof q.description !== "string") {
      ctx.warn(path, "dcs-quality-incomplete", "a text quality rule needs a description; the rule was not converted");
      return undefined;
    }
    return { type: "text" };
  },
  sql: (ctx, q, path) => {
    if (typeof q.query !== "string") {
      ctx.warn(path, "dcs-quality-incomplete", "an sql quality rule needs a query; the rule was not converted");
      return undefined;
    }
    const threshold = thresholdOf(ctx, q, path);
    if (!threshold) return asText(ctx, q, path, "it has no threshold (mustBe...)");
    return { type: "sql", query: q.query, ...threshold };
  },
  library: (ctx, q, path) => {
    const name = typeof q.metric === "string" ? q.metric : typeof q.rule === "string" ? q.rule : undefined;
    const metric = name === undefined ? undefined : libraryMetrics[name];
    if (!metric) {
      return asText(ctx, q, path, `ODCS has no library metric ${JSON.stringify(name ?? "")}`);
    }
    let threshold = thresholdOf(ctx, q, path);
    if (!threshold) {
      threshold = defaultThreshold[metric];
      ctx.info(path, "dcs-quality-default-threshold", `no threshold given; used ${JSON.stringify(threshold)}`);
    }
    return compact({
      type: "library",
      metric,
      arguments: isObject(q.arguments) ? q.arguments : undefined,
      ...threshold,
    });
  },
  custom: (ctx, q, path) => {
    const type = String(q.type ?? "").toLowerCase();
    const engine = typeof q.engine === "string" ? q.engine : engineOf[type];
    const raw = q.implementation ?? q.specification;
    if (!engine || raw === undefined || raw === null) {
      return asText(ctx, q, path, "a custom rule needs an engine and an implementation");
    }
    const implementation = typeof raw === "string" || isObject(raw) ? raw : toYamlText(raw);
    return { type: "custom", engine, implementation };
  },
};

/** Keys each converter consumes (everything else becomes a custom property). */
const consumed = new Set([
  "type",
  "query",
  "metric",
  "rule",
  "arguments",
  "engine",
  "implementation",
  "specification",
  "dimension",
  "tags",
  "dialect",
  ...sharedKeys,
  ...Object.keys(operators),
]);

/** Converts a DCS quality list (model or field level) to ODCS DataQuality rules. */
export function convertQualityList(ctx: ConvertContext, value: unknown, path: Path): JsonObject[] {
  if (value === undefined || value === null) return [];
  // DCS 0.9 allowed one `{ type, specification }` object where 1.x has a list.
  const items = Array.isArray(value) ? value : [value];
  const out: JsonObject[] = [];
  items.forEach((item, i) => {
    const itemPath = Array.isArray(value) ? [...path, i] : path;
    if (!isObject(item)) {
      ctx.warn(itemPath, "dcs-quality-invalid", "a quality rule must be a mapping; it was not converted");
      return;
    }
    const rule = convertQuality(ctx, item, itemPath);
    if (rule) out.push(rule);
  });
  return out;
}

export function convertQuality(ctx: ConvertContext, q: JsonObject, path: Path): JsonObject | undefined {
  const type = String(q.type ?? (q.metric || q.rule ? "library" : "")).toLowerCase();
  const kind = type === "text" || type === "sql" || type === "library" || type === "custom" ? type : undefined;
  const converter = kind ? converters[kind] : engineOf[type] ? converters.custom : undefined;
  if (!converter) {
    return asText(ctx, q, path, `unknown quality type ${JSON.stringify(q.type ?? "")}`);
  }
  const body = converter(ctx, q, path);
  if (!body) return undefined;
  return finish(ctx, q, path, body);
}

/** Adds the shared descriptive keys and keeps everything else as custom properties. */
function finish(ctx: ConvertContext, q: JsonObject, path: Path, body: JsonObject): JsonObject {
  const shared: JsonObject = {};
  for (const key of sharedKeys) {
    if (q[key] !== undefined && q[key] !== null) shared[key] = String(q[key]);
  }
  let dimension: string | undefined;
  if (typeof q.dimension === "string") {
    if (dimensions.has(q.dimension)) dimension = q.dimension;
    else
      ctx.warn([...path, "dimension"], "dcs-unmapped", `ODCS has no quality dimension ${JSON.stringify(q.dimension)}`);
  }
  const custom: CustomProperty[] = [];
  if (q.dialect !== undefined) custom.push({ property: "dialect", value: q.dialect });
  for (const [key, value] of Object.entries(q)) {
    if (consumed.has(key)) continue;
    custom.push({ property: key, value });
    ctx.info([...path, key], "dcs-custom-property", `kept as a custom property of the quality rule`);
  }
  const tags = Array.isArray(q.tags) ? q.tags.map(String) : undefined;
  const { type, ...rest } = body;
  const { name, description, ...more } = shared;
  return compact({
    type,
    name,
    description,
    dimension,
    ...rest,
    ...more,
    tags,
    customProperties: custom,
  });
}

/** The single ODCS operator of a rule; ODCS allows exactly one, so extra ones are reported and dropped. */
function thresholdOf(ctx: ConvertContext, q: JsonObject, path: Path): JsonObject | undefined {
  let found: JsonObject | undefined;
  for (const [key, target] of Object.entries(operators)) {
    const value = q[key];
    if (value === undefined || value === null) continue;
    if (found) {
      ctx.warn([...path, key], "dcs-unmapped", `ODCS allows one threshold per rule; ${key} was dropped`);
      continue;
    }
    found = { [target]: value };
  }
  return found;
}

/** Keeps a rule ODCS cannot express as a human-readable text rule rather than losing it. */
function asText(ctx: ConvertContext, q: JsonObject, path: Path, why: string): JsonObject | undefined {
  const parts = [typeof q.description === "string" ? q.description : undefined];
  if (typeof q.query === "string") parts.push(`Query: ${q.query.trim()}`);
  const description = parts.filter(Boolean).join("\n") || toYamlText(q).trim();
  ctx.warn(path, "dcs-quality-as-text", `${why}; kept as a text rule`);
  return compact({ type: "text", description });
}

/**
 * DCS 0.9 top-level `quality: { type, specification }`: a SodaCL (or other engine) document with
 * sections per model. ODCS keeps quality on schema objects, so each `checks for <model>` section
 * goes to that model; a section for no known model goes to the first one, with a warning.
 */
export function convertTopLevelQuality(
  ctx: ConvertContext,
  value: unknown,
  modelNames: readonly string[],
): Map<string, JsonObject[]> {
  const out = new Map<string, JsonObject[]>();
  const path = ["quality"];
  if (!isObject(value)) {
    ctx.warn(path, "dcs-quality-invalid", "top-level quality must be a mapping with type and specification");
    return out;
  }
  const add = (model: string, rule: JsonObject) => out.set(model, [...(out.get(model) ?? []), rule]);
  const first = modelNames[0];
  if (first === undefined) {
    ctx.warn(path, "dcs-unmapped", "quality needs a model to attach to; there are no models");
    return out;
  }
  const type = String(value.type ?? "").toLowerCase();
  const engine = engineOf[type] ?? (type === "custom" && typeof value.engine === "string" ? value.engine : undefined);
  let spec = value.specification;
  if (typeof spec === "string") {
    try {
      spec = parseYaml(spec, { version: "1.2" });
    } catch {
      // Not YAML: keep the text as one implementation.
    }
  }
  if (!engine || spec === undefined || spec === null) {
    const rule = convertQuality(ctx, value, path);
    if (rule) add(first, rule);
    return out;
  }
  if (!isObject(spec)) {
    add(first, { type: "custom", engine, implementation: typeof spec === "string" ? spec : toYamlText(spec) });
    return out;
  }
  for (const [key, section] of Object.entries(spec)) {
    const target = modelFor(key, modelNames);
    if (!target) {
      ctx.warn(
        [...path, "specification", key],
        "dcs-quality-moved",
        `no model matches ${JSON.stringify(key)}; attached to ${first}`,
      );
    }
    add(target ?? first, { type: "custom", engine, implementation: { [key]: section } });
  }
  return out;
}

/** `checks for orders` (SodaCL), `orders` or `orders.csv` (Great Expectations) → `orders`. */
function modelFor(key: string, modelNames: readonly string[]): string | undefined {
  const name = key.replace(/^checks for\s+/i, "").trim();
  return modelNames.find((m) => m === name || name.startsWith(`${m}.`));
}
