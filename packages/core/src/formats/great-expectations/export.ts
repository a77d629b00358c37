import { stringFormats } from "../../checks/string-formats.js";
import type { Path } from "../../issues.js";
import type { SchemaObject, SchemaProperty } from "../../spec/odcs/model.js";
import { physicalNameOf, primaryKeyOf, propertiesOf } from "../contract-view.js";
import { ConvertContext, isObject, type JsonObject } from "../convert-context.js";
import type { ExportFile, ExportInput, ExportResult } from "../format.js";
import { thresholdOfRule } from "../sodacl/quality-items.js";

type Expectation = { type: string; kwargs: JsonObject; meta?: JsonObject };

/**
 * ODCS contract → one Great Expectations suite per schema object (GX 1.x `name`/`type`, or GX 0.x
 * `expectation_suite_name`/`expectation_type` with `version=0`). Logical types, formats and primary
 * keys ride in the expectations' `meta`, so an import reads them back.
 */
export function exportSuites(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const all = Array.isArray(input.contract.schema) ? input.contract.schema : [];
  const wanted = input.options.schema;
  const legacy = input.options.version === "0";
  const files: ExportFile[] = [];
  all.forEach((object, i) => {
    if (typeof object?.name !== "string") return;
    if (wanted !== undefined && object.name !== wanted && object.physicalName !== wanted) return;
    const name = physicalNameOf(object);
    const expectations = objectExpectations(ctx, object, ["schema", i]);
    const suite = legacy
      ? {
          expectation_suite_name: name,
          data_asset_type: null,
          expectations: expectations.map((e) => ({ expectation_type: e.type, kwargs: e.kwargs, meta: e.meta ?? {} })),
          meta: { great_expectations_version: "0.18.21" },
        }
      : {
          name,
          expectations: expectations.map((e) => ({ type: e.type, kwargs: e.kwargs, meta: e.meta ?? {} })),
          meta: {},
        };
    files.push({
      path: `${fileName(name)}.json`,
      content: `${JSON.stringify(suite, null, 2)}\n`,
      mediaType: "application/json",
    });
  });
  if (wanted !== undefined && files.length === 0) {
    ctx.error(["schema"], "export-schema-unknown", `no schema object ${JSON.stringify(wanted)}`);
  }
  return { files, issues: ctx.issues };
}

function fileName(name: string): string {
  return name.replace(/[^\p{L}\p{N}._-]+/gu, "_") || "suite";
}

function objectExpectations(ctx: ConvertContext, object: SchemaObject, path: Path): Expectation[] {
  const out: Expectation[] = [];
  const properties = propertiesOf(object);
  for (const p of properties) {
    const column = physicalNameOf(p);
    out.push({
      type: "expect_column_to_exist",
      kwargs: { column },
      ...(p.logicalType ? { meta: { logicalType: p.logicalType } } : {}),
    });
    if (p.physicalType)
      out.push({ type: "expect_column_values_to_be_of_type", kwargs: { column, type_: p.physicalType } });
  }
  const pk = primaryKeyOf(object).map(physicalNameOf);
  if (pk.length === 1)
    out.push({ type: "expect_column_values_to_be_unique", kwargs: { column: pk[0] }, meta: { primaryKey: true } });
  if (pk.length > 1)
    out.push({ type: "expect_compound_columns_to_be_unique", kwargs: { column_list: pk }, meta: { primaryKey: true } });
  properties.forEach((p, j) => {
    out.push(...propertyExpectations(ctx, p, [...path, "properties", j], pk));
  });
  (object.quality ?? []).forEach((rule, k) => {
    out.push(...ruleExpectations(ctx, rule as JsonObject, [...path, "quality", k], undefined));
  });
  if ((object.relationships ?? []).length > 0 || properties.some((p) => (p.relationships ?? []).length > 0)) {
    ctx.warn(
      path,
      "gx-export-unmapped",
      "Great Expectations has no expectation for foreign keys; relationships were not exported",
    );
  }
  return out;
}

function propertyExpectations(
  ctx: ConvertContext,
  p: SchemaProperty,
  path: Path,
  pk: readonly string[],
): Expectation[] {
  const column = physicalNameOf(p);
  const out: Expectation[] = [];
  if (p.required === true) out.push({ type: "expect_column_values_to_not_be_null", kwargs: { column } });
  if (p.unique === true && !(pk.length === 1 && pk[0] === column)) {
    out.push({ type: "expect_column_values_to_be_unique", kwargs: { column } });
  }
  const o = (p.logicalTypeOptions ?? {}) as JsonObject;
  const at = [...path, "logicalTypeOptions"];
  const min = o.minimum ?? o.exclusiveMinimum;
  const max = o.maximum ?? o.exclusiveMaximum;
  if (min !== undefined || max !== undefined) {
    out.push({
      type: "expect_column_values_to_be_between",
      kwargs: {
        column,
        ...(min !== undefined ? { min_value: min } : {}),
        ...(max !== undefined ? { max_value: max } : {}),
        ...(o.exclusiveMinimum !== undefined && typeof o.exclusiveMinimum !== "boolean" ? { strict_min: true } : {}),
        ...(o.exclusiveMaximum !== undefined && typeof o.exclusiveMaximum !== "boolean" ? { strict_max: true } : {}),
      },
    });
  }
  if (o.minLength !== undefined || o.maxLength !== undefined) {
    out.push({
      type: "expect_column_value_lengths_to_be_between",
      kwargs: {
        column,
        ...(o.minLength !== undefined ? { min_value: o.minLength } : {}),
        ...(o.maxLength !== undefined ? { max_value: o.maxLength } : {}),
      },
    });
  }
  if (typeof o.pattern === "string")
    out.push({ type: "expect_column_values_to_match_regex", kwargs: { column, regex: o.pattern } });
  if (typeof o.format === "string") {
    const regex = stringFormats[o.format];
    if (regex)
      out.push({ type: "expect_column_values_to_match_regex", kwargs: { column, regex }, meta: { format: o.format } });
    else
      ctx.warn(
        [...at, "format"],
        "gx-export-unmapped",
        `Quanta knows no regular expression for format ${JSON.stringify(o.format)}; it was not exported`,
      );
  }
  for (const key of Object.keys(o)) {
    if (
      ![
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "timezone",
        "defaultTimezone",
      ].includes(key)
    ) {
      ctx.warn([...at, key], "gx-export-unmapped", `no expectation for ${key}; it was not exported`);
    }
  }
  (p.quality ?? []).forEach((rule, k) => {
    out.push(...ruleExpectations(ctx, rule as JsonObject, [...path, "quality", k], column));
  });
  if (propertiesOf(p).length > 0 || p.items !== undefined) {
    ctx.warn(
      path,
      "gx-export-unmapped",
      `expectations check columns; the nested fields of ${p.name} were not exported`,
    );
  }
  return out;
}

/** A "none of the rows" or "at most p % of the rows" threshold → GX `mostly`, or undefined. */
function mostlyOf(rule: JsonObject): { mostly?: number } | undefined {
  const t = thresholdOfRule(rule);
  const percent = rule.unit === "percent" || rule.unit === "%";
  if (t === undefined) return {};
  if (t.value === 0 && (t.operator === "mustBe" || t.operator === "mustBeLessOrEqualTo")) return {};
  if (
    percent &&
    typeof t.value === "number" &&
    (t.operator === "mustBeLessOrEqualTo" || t.operator === "mustBeLessThan")
  ) {
    return { mostly: Number((1 - t.value / 100).toFixed(10)) };
  }
  return undefined;
}

function ruleExpectations(
  ctx: ConvertContext,
  rule: JsonObject,
  path: Path,
  column: string | undefined,
): Expectation[] {
  const type = rule.type ?? "library";
  const unmapped = (why: string): Expectation[] => {
    ctx.warn(path, "gx-export-unmapped", `${why}; it was not exported`);
    return [];
  };
  if (type === "custom") {
    if (rule.engine !== "great-expectations") return unmapped(`a ${String(rule.engine)} rule has no expectation`);
    const list = Array.isArray(rule.implementation) ? rule.implementation : [rule.implementation];
    const out: Expectation[] = [];
    for (const e of list) {
      if (!isObject(e)) return unmapped("the rule's implementation is not an expectation");
      const t = e.type ?? e.expectation_type;
      if (typeof t !== "string") return unmapped("the rule's implementation is not an expectation");
      out.push({ type: t, kwargs: isObject(e.kwargs) ? e.kwargs : {}, ...(isObject(e.meta) ? { meta: e.meta } : {}) });
    }
    return out;
  }
  const origin = (Array.isArray(rule.customProperties) ? (rule.customProperties as JsonObject[]) : []).find(
    (c) => c?.property === "gxExpectation",
  )?.value;
  if (type === "sql" && isObject(origin) && typeof origin.type === "string") {
    return [
      {
        type: origin.type,
        kwargs: isObject(origin.kwargs) ? origin.kwargs : {},
        ...(isObject(origin.meta) ? { meta: origin.meta } : {}),
      },
    ];
  }
  if (type !== "library") return unmapped(`a ${String(type)} rule has no expectation`);
  const metric = rule.metric ?? rule.rule;
  const args = isObject(rule.arguments) ? rule.arguments : {};
  const meta = typeof rule.description === "string" ? { meta: { notes: rule.description } } : {};
  if (metric === "rowCount") {
    const t = thresholdOfRule(rule);
    const kwargs: JsonObject | undefined =
      t === undefined
        ? undefined
        : t.operator === "mustBe"
          ? { value: t.value }
          : t.operator === "mustBeBetween" && Array.isArray(t.value)
            ? { min_value: t.value[0], max_value: t.value[1] }
            : t.operator === "mustBeGreaterOrEqualTo"
              ? { min_value: t.value }
              : t.operator === "mustBeGreaterThan"
                ? { min_value: t.value, strict_min: true }
                : t.operator === "mustBeLessOrEqualTo"
                  ? { max_value: t.value }
                  : t.operator === "mustBeLessThan"
                    ? { max_value: t.value, strict_max: true }
                    : undefined;
    if (!kwargs) return unmapped("this row count threshold has no expectation");
    return [
      {
        type: t?.operator === "mustBe" ? "expect_table_row_count_to_equal" : "expect_table_row_count_to_be_between",
        kwargs,
        ...meta,
      },
    ];
  }
  const mostly = mostlyOf(rule);
  if (!mostly) return unmapped("expectations take `mostly` (a share of rows), not this threshold");
  const columns = Array.isArray(args.properties) ? args.properties.map(String) : undefined;
  if (metric === "duplicateValues" && columns && columns.length > 1) {
    return [{ type: "expect_compound_columns_to_be_unique", kwargs: { column_list: columns, ...mostly }, ...meta }];
  }
  const col = column ?? (columns?.length === 1 ? columns[0] : undefined);
  if (col === undefined) return unmapped(`${String(metric)} on a schema object has no expectation`);
  switch (metric) {
    case "nullValues":
      return [{ type: "expect_column_values_to_not_be_null", kwargs: { column: col, ...mostly }, ...meta }];
    case "duplicateValues":
      return [{ type: "expect_column_values_to_be_unique", kwargs: { column: col, ...mostly }, ...meta }];
    case "invalidValues": {
      const out: Expectation[] = [];
      if (Array.isArray(args.validValues))
        out.push({
          type: "expect_column_values_to_be_in_set",
          kwargs: { column: col, value_set: args.validValues, ...mostly },
          ...meta,
        });
      if (typeof args.pattern === "string")
        out.push({
          type: "expect_column_values_to_match_regex",
          kwargs: { column: col, regex: args.pattern, ...mostly },
          ...meta,
        });
      return out.length > 0 ? out : unmapped("invalidValues without validValues or pattern");
    }
  }
  return unmapped(`${String(metric)} has no expectation`);
}
