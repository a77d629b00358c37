import { parse as parseYaml } from "yaml";
import type { Path } from "../../issues.js";
import { SourceDocument } from "../../spec/source.js";
import { ConvertContext, type CustomProperty, compact, isObject, type JsonObject } from "../convert-context.js";
import { convertExpectations } from "../great-expectations/expectations.js";
import { objectLevelRule, type QualityItem } from "../sodacl/quality-items.js";
import { convertSodaDocument, convertSodaList, type SodaSection } from "../sodacl/soda-checks.js";
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
    const vendor = vendorRules(ctx, item, itemPath, path);
    if (vendor) {
      out.push(...vendor);
      return;
    }
    const rule = convertQuality(ctx, item, itemPath);
    if (rule) out.push(rule);
  });
  return out;
}

/** Where a DCS quality list sits: the model it checks and, for a field's list, the field. */
function placeOf(listPath: Path): { model?: string; field?: string } {
  const model = listPath[0] === "models" && typeof listPath[1] === "string" ? listPath[1] : undefined;
  const n = listPath.length;
  const field = n >= 3 && listPath[n - 3] === "fields" ? String(listPath[n - 2]) : undefined;
  return { model, field };
}

/**
 * A SodaCL or Great Expectations rule (`type: sodacl`, `type: custom` + engine, with a
 * specification or implementation) → executable ODCS rules for where the list sits; undefined
 * for any other rule.
 */
function vendorRules(ctx: ConvertContext, q: JsonObject, path: Path, listPath: Path): JsonObject[] | undefined {
  const type = String(q.type ?? "").toLowerCase();
  const engine = type === "custom" ? String(q.engine ?? "").toLowerCase() : type;
  const kind = engineOf[engine];
  if (kind !== "soda" && kind !== "great-expectations") return undefined;
  const key = q.implementation !== undefined ? "implementation" : "specification";
  const raw = q[key];
  if (raw === undefined || raw === null) return undefined;
  const { model, field } = placeOf(listPath);
  const table = model ?? "table";
  const items = withSpecification(ctx, raw, [...path, key], (inner, value, at) => {
    if (kind === "great-expectations") {
      const list = Array.isArray(value)
        ? value
        : isObject(value) && Array.isArray(value.expectations)
          ? value.expectations
          : [value];
      const listAt = isObject(value) && Array.isArray(value.expectations) ? [...at, "expectations"] : at;
      return convertExpectations(inner, list, listAt);
    }
    if (Array.isArray(value)) return convertSodaList(inner, value, at, table);
    return convertSodaDocument(inner, value, at).flatMap((s) => s.items);
  });
  return items.flatMap((item): JsonObject[] => {
    const rule = placed(ctx, item, field, kind, table);
    return rule ? [rule] : [];
  });
}

/** An item as a rule of a model (no field) or of one field, or undefined when it is a schema fact. */
function placed(
  ctx: ConvertContext,
  item: QualityItem,
  field: string | undefined,
  engine: string,
  table = "table",
): JsonObject | undefined {
  const kept = (): JsonObject | undefined => {
    const written = objectLevelRule(ctx, item);
    if (written) return written;
    const implementation =
      engine === "soda" ? { [`checks for ${table}`]: [item.source] } : (item.source as JsonObject | undefined);
    return implementation === undefined ? undefined : { type: "custom", engine, implementation };
  };
  if (!item.rule) {
    ctx.warn(
      item.path,
      "dcs-quality-schema",
      "a schema check is what the model's fields already declare; it was not converted",
    );
    return undefined;
  }
  if (field === undefined) return kept();
  if (item.property === undefined || item.property === field) {
    // A row count belongs to the object; under a field it is said in SQL.
    if (item.rule.type === "library" && item.rule.metric === "rowCount") {
      const { metric: _m, type: _t, ...rest } = item.rule;
      return { type: "sql", query: "SELECT COUNT(*) FROM {object}", ...rest };
    }
    return item.rule;
  }
  return kept();
}

/**
 * Runs a conversion over a specification that may be YAML text inside the DCS document: issues
 * found in the text point at its line in the DCS document (block scalars line by line).
 */
function withSpecification(
  ctx: ConvertContext,
  raw: unknown,
  path: Path,
  convert: (inner: ConvertContext, value: unknown, at: Path) => QualityItem[],
): QualityItem[] {
  if (typeof raw !== "string") return convert(ctx, raw, path);
  const inner = new ConvertContext(SourceDocument.parse(raw, ctx.src.file));
  if (!inner.src.readable) {
    ctx.warn(
      path,
      "dcs-quality-invalid",
      `the specification is not YAML: ${inner.src.issues[0]?.message ?? "unreadable"}`,
    );
    return [];
  }
  const items = convert(inner, inner.src.value, []);
  const at = ctx.src.locate(path);
  const lines = ctx.src.text.split("\n");
  const header = lines[at.line - 1] ?? "";
  const block = /[|>][+-]?\d*\s*(#.*)?$/.test(header.slice(at.column - 1));
  const indent = /^\s*/.exec(lines[at.line] ?? "")?.[0].length ?? 0;
  for (const issue of [...inner.src.issues, ...inner.issues]) {
    ctx.issues.push(
      block
        ? { ...issue, line: at.line + issue.line, column: issue.column + indent, path: formatPathOf(path, issue.path) }
        : { ...issue, line: at.line, column: at.column, path: formatPathOf(path, issue.path) },
    );
  }
  // Items keep paths of the inner text: re-point them at the specification for later warnings.
  return items.map((item) => ({ ...item, path }));
}

/** YAML or JSON text nested once more (a model's expectations as JSON text). */
function readText(ctx: ConvertContext, text: string, path: Path): unknown {
  try {
    return parseYaml(text, { version: "1.2" });
  } catch (e) {
    ctx.warn(path, "dcs-quality-invalid", `not YAML or JSON: ${(e as Error).message.split("\n")[0]}`);
    return undefined;
  }
}

function formatPathOf(outer: Path, inner: string): string {
  return [outer.join("."), inner].filter(Boolean).join(".");
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
  if (engine === "soda" || engine === "great-expectations") {
    const sections: SodaSection[] = [];
    withSpecification(ctx, value.specification, [...path, "specification"], (inner, doc, at) => {
      if (engine === "soda") sections.push(...convertSodaDocument(inner, doc, at));
      else if (isObject(doc)) {
        // Great Expectations in DCS 0.9: `{ <model>: [expectations] }`.
        for (const [key, given] of Object.entries(doc)) {
          const listAt = [...at, key];
          const list = typeof given === "string" ? readText(inner, given, listAt) : given;
          const items = Array.isArray(list)
            ? convertExpectations(inner, list, listAt)
            : isObject(list) && Array.isArray(list.expectations)
              ? convertExpectations(inner, list.expectations, [...listAt, "expectations"])
              : [];
          if (!Array.isArray(list) && items.length === 0)
            inner.warn(listAt, "dcs-quality-invalid", "expected a list of expectations; it was not converted");
          sections.push({ table: key, path: listAt, items });
        }
      }
      for (const section of sections) {
        if (!modelFor(section.table, modelNames))
          inner.warn(
            section.path,
            "dcs-quality-moved",
            `no model matches ${JSON.stringify(section.table)}; attached to ${first}`,
          );
      }
      return [];
    });
    for (const section of sections) {
      const target = modelFor(section.table, modelNames);
      for (const item of section.items) {
        const rule = placed(ctx, item, undefined, engine, section.table);
        if (rule) add(target ?? first, rule);
      }
    }
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
