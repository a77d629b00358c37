import type { Path } from "../../issues.js";
import { SourceDocument } from "../../spec/source.js";
import { validateSchema } from "../../spec/validate.js";
import { ConvertContext, type CustomProperty, compact, isObject, type JsonObject } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { toYamlText } from "../yaml-output.js";

export const odcsExportVersions = ["v3.1.0", "v3.0.2", "v2.2.2"] as const;
export type OdcsExportVersion = (typeof odcsExportVersions)[number];

/** Keys of a v3.0.2 schema object and property (the official schema has `unevaluatedProperties: false`). */
const v30ObjectKeys = new Set([
  "name",
  "physicalType",
  "description",
  "businessName",
  "authoritativeDefinitions",
  "tags",
  "customProperties",
  "logicalType",
  "physicalName",
  "dataGranularityDescription",
  "properties",
  "quality",
]);
const v30PropertyKeys = new Set([
  "name",
  "physicalType",
  "description",
  "businessName",
  "authoritativeDefinitions",
  "tags",
  "customProperties",
  "primaryKey",
  "primaryKeyPosition",
  "logicalType",
  "logicalTypeOptions",
  "required",
  "unique",
  "partitioned",
  "partitionKeyPosition",
  "classification",
  "encryptedName",
  "transformSourceObjects",
  "transformLogic",
  "transformDescription",
  "examples",
  "criticalDataElement",
  "quality",
  "properties",
  "items",
]);
/** logicalTypeOptions each v3.0.2 logical type allows. */
const v30Options: Readonly<Record<string, readonly string[]>> = {
  string: ["minLength", "maxLength", "pattern", "format"],
  date: ["format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"],
  integer: ["multipleOf", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "format"],
  number: ["multipleOf", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "format"],
  object: ["maxProperties", "minProperties", "required"],
  array: ["maxItems", "minItems", "uniqueItems"],
  boolean: [],
};
const v30SlaKeys = new Set(["property", "value", "valueExt", "unit", "element", "driver"]);
const v30SupportKeys = new Set(["channel", "url", "description", "tool", "scope", "invitationUrl"]);
const v30MemberKeys = new Set(["username", "role", "dateIn", "dateOut", "replacedByUsername"]);

/** v3.1 library metric → the v3.0 `rule` with the same meaning. */
const v30Rules: Readonly<Record<string, string>> = {
  nullValues: "nullCheck",
  missingValues: "nullCheck",
  invalidValues: "validValues",
  duplicateValues: "duplicateCount",
  rowCount: "rowCount",
};

/**
 * Writes a contract at another ODCS version: v3.1.0 (the contract as Quanta reads it,
 * normalized), v3.0.2 or v2.2.2. What the older version cannot hold is kept as a custom property
 * where it has one, and reported at the contract's line either way.
 */
export function exportOdcs(input: ExportInput): ExportResult {
  const version = (input.options.version ?? "v3.1.0") as OdcsExportVersion;
  const ctx = new ConvertContext(input.source);
  const contract = JSON.parse(JSON.stringify(input.contract)) as JsonObject;
  let doc: JsonObject;
  if (version === "v3.1.0") doc = { ...contract, apiVersion: "v3.1.0" };
  else if (version === "v3.0.2") doc = new V30Writer(ctx).contract(contract);
  else doc = new V22Writer(ctx).contract(new V30Writer(ctx).contract(contract));
  const text = toYamlText(doc);
  if (version === "v3.1.0") {
    const invalid = validateSchema(SourceDocument.parse(text, "contract.odcs.yaml"), "odcs");
    if (invalid.length > 0) {
      return {
        files: [],
        issues: invalid.map((i) => ({ ...i, code: `odcs-export-invalid-${i.code}`, severity: "error" as const })),
      };
    }
  }
  const base = typeof contract.id === "string" && contract.id !== "" ? contract.id : "contract";
  return {
    files: [
      { path: `${base.replace(/[^A-Za-z0-9._-]/g, "_")}.odcs.yaml`, content: text, mediaType: "application/yaml" },
    ],
    issues: ctx.issues,
  };
}

function customList(value: unknown): CustomProperty[] {
  return Array.isArray(value) ? (value.filter(isObject) as unknown as CustomProperty[]) : [];
}

/** ODCS v3.1 → v3.0.2. */
class V30Writer {
  constructor(private readonly ctx: ConvertContext) {}

  contract(c: JsonObject): JsonObject {
    const { ctx } = this;
    const doc: JsonObject = { ...c, apiVersion: "v3.0.2" };
    const rootCustom = customList(c.customProperties);
    if (isObject(c.team)) {
      const team = c.team;
      const members = Array.isArray(team.members) ? team.members : [];
      doc.team = members
        .filter(isObject)
        .map((m, i) => this.keep(m, v30MemberKeys, ["team", "members", i], "team members"));
      const lost = Object.keys(team).filter((k) => k !== "members");
      if (lost.length > 0) {
        rootCustom.push({ property: "team", value: Object.fromEntries(lost.map((k) => [k, team[k]])) });
        ctx.warn(
          ["team"],
          "odcs-export-downgraded",
          `ODCS v3.0 teams are a list of members; the team's ${lost.join(", ")} went to customProperties`,
        );
      }
    }
    if (Array.isArray(c.support)) {
      doc.support = c.support.filter(isObject).flatMap((s, i) => {
        if (typeof s.url !== "string") {
          ctx.warn(
            ["support", i],
            "odcs-export-dropped",
            "ODCS v3.0 support channels need a url; this one was not exported",
          );
          return [];
        }
        return [this.keep(s, v30SupportKeys, ["support", i], "support channels")];
      });
    }
    if (Array.isArray(c.slaProperties)) {
      doc.slaProperties = c.slaProperties
        .filter(isObject)
        .map((s, i) => this.keep(s, v30SlaKeys, ["slaProperties", i], "SLA properties"));
    }
    for (const key of ["roles", "servers"] as const) {
      const list = c[key];
      if (!Array.isArray(list)) continue;
      doc[key] = list.filter(isObject).map(({ id, ...rest }) => {
        if (id === undefined) return rest;
        return { ...rest, customProperties: [...customList(rest.customProperties), { property: "id", value: id }] };
      });
    }
    if (Array.isArray(c.schema)) {
      doc.schema = c.schema.filter(isObject).map((o, i) => this.object(o, ["schema", i]));
    }
    if (Array.isArray(c.authoritativeDefinitions))
      doc.authoritativeDefinitions = this.definitions(c.authoritativeDefinitions, ["authoritativeDefinitions"]);
    if (isObject(c.description) && Array.isArray(c.description.authoritativeDefinitions)) {
      doc.description = {
        ...c.description,
        authoritativeDefinitions: this.definitions(c.description.authoritativeDefinitions, [
          "description",
          "authoritativeDefinitions",
        ]),
      };
    }
    doc.customProperties = rootCustom;
    return compact(doc);
  }

  /** Keeps the keys v3.0 has; the others go to the element's customProperties (when it has them) or are reported. */
  private keep(
    value: JsonObject,
    allowed: ReadonlySet<string>,
    path: Path,
    what: string,
    custom?: CustomProperty[],
  ): JsonObject {
    const out: JsonObject = {};
    for (const [key, v] of Object.entries(value)) {
      if (allowed.has(key)) out[key] = v;
      // Stable ids are new in v3.1; kept where the element has customProperties, read back on import.
      else if (key === "id" && custom) custom.push({ property: "id", value: v });
      else if (custom) {
        custom.push({ property: key, value: v });
        this.ctx.warn(
          [...path, key],
          "odcs-export-downgraded",
          `ODCS v3.0 ${what} have no ${key}; it went to customProperties`,
        );
      } else
        this.ctx.warn([...path, key], "odcs-export-dropped", `ODCS v3.0 ${what} have no ${key}; it was not exported`);
    }
    return out;
  }

  private definitions(list: unknown[], path: Path): JsonObject[] {
    return list.filter(isObject).flatMap((d, i) => {
      if (typeof d.type !== "string" || typeof d.url !== "string") {
        this.ctx.warn(
          [...path, i],
          "odcs-export-dropped",
          "ODCS v3.0 authoritative definitions need a type and a url; not exported",
        );
        return [];
      }
      return [compact({ type: d.type, url: d.url })];
    });
  }

  private object(o: JsonObject, path: Path): JsonObject {
    const custom = customList(o.customProperties);
    const { customProperties: _c, ...rest } = o;
    const out = this.keep(rest, v30ObjectKeys, path, "schema objects", custom);
    if (Array.isArray(o.properties))
      out.properties = o.properties.filter(isObject).map((p, i) => this.property(p, [...path, "properties", i]));
    if (Array.isArray(o.quality)) out.quality = this.quality(o.quality, [...path, "quality"]);
    if (Array.isArray(o.authoritativeDefinitions))
      out.authoritativeDefinitions = this.definitions(o.authoritativeDefinitions, [
        ...path,
        "authoritativeDefinitions",
      ]);
    out.customProperties = custom;
    return compact(out);
  }

  private property(p: JsonObject, path: Path): JsonObject {
    const custom = customList(p.customProperties);
    const { customProperties: _c, ...rest } = p;
    const out = this.keep(rest, v30PropertyKeys, path, "properties", custom);
    let logical = typeof p.logicalType === "string" ? p.logicalType : undefined;
    const options: JsonObject = isObject(p.logicalTypeOptions) ? { ...p.logicalTypeOptions } : {};
    if (logical === "timestamp" || logical === "time") {
      // v3.0 has no timestamp or time: its `date` stands for dates with or without a time.
      custom.push({ property: "logicalType", value: logical });
      this.ctx.warn(
        [...path, "logicalType"],
        "odcs-export-downgraded",
        `ODCS v3.0 has no logical type ${logical}; written as date (the original is in customProperties)`,
      );
      out.logicalType = "date";
      logical = "date";
    }
    if (logical !== undefined) {
      const allowed = v30Options[logical] ?? [];
      for (const [flag, bound] of [
        ["exclusiveMinimum", "minimum"],
        ["exclusiveMaximum", "maximum"],
      ] as const) {
        if (options[flag] === undefined || typeof options[flag] === "boolean") continue;
        // v3.1 `exclusiveMinimum: 5` is v3.0 `minimum: 5, exclusiveMinimum: true`.
        if (options[bound] === undefined) {
          options[bound] = options[flag];
          options[flag] = true;
        } else {
          custom.push({ property: flag, value: options[flag] });
          delete options[flag];
          this.ctx.warn(
            [...path, "logicalTypeOptions", flag],
            "odcs-export-downgraded",
            `ODCS v3.0 cannot hold both ${bound} and ${flag}; ${flag} went to customProperties`,
          );
        }
      }
      for (const key of Object.keys(options)) {
        if (allowed.includes(key)) continue;
        custom.push({ property: key, value: options[key] });
        delete options[key];
        this.ctx.warn(
          [...path, "logicalTypeOptions", key],
          "odcs-export-downgraded",
          `ODCS v3.0 ${logical} options have no ${key}; it went to customProperties`,
        );
      }
      if (Object.keys(options).length > 0) out.logicalTypeOptions = options;
      else delete out.logicalTypeOptions;
    }
    if (Array.isArray(p.properties))
      out.properties = p.properties.filter(isObject).map((c, i) => this.property(c, [...path, "properties", i]));
    if (isObject(p.items)) out.items = this.property(p.items, [...path, "items"]);
    if (Array.isArray(p.quality)) out.quality = this.quality(p.quality, [...path, "quality"]);
    if (Array.isArray(p.authoritativeDefinitions))
      out.authoritativeDefinitions = this.definitions(p.authoritativeDefinitions, [
        ...path,
        "authoritativeDefinitions",
      ]);
    out.customProperties = custom;
    return compact(out);
  }

  /** v3.1 `metric` → v3.0 `rule` (which v3.0 library checks require); `arguments` stay as written. */
  private quality(list: unknown[], path: Path): JsonObject[] {
    return list.filter(isObject).map((q, i) => {
      const { id, ...rule } = q;
      if (id !== undefined) rule.customProperties = [...customList(q.customProperties), { property: "id", value: id }];
      const type = typeof q.type === "string" ? q.type : "library";
      if (type === "library" && typeof q.metric === "string") {
        const name = v30Rules[q.metric];
        if (!name)
          this.ctx.warn(
            [...path, i, "metric"],
            "odcs-export-downgraded",
            `ODCS v3.0 has no rule for metric ${q.metric}; written as rule ${q.metric}`,
          );
        rule.rule = name ?? q.metric;
        if (q.metric === "missingValues") {
          this.ctx.warn(
            [...path, i, "metric"],
            "odcs-export-downgraded",
            "ODCS v3.0 has no missingValues rule; written as nullCheck with the metric kept",
          );
        }
      }
      return rule;
    });
  }
}

/** ODCS v3.0.2 (already downgraded) → v2.2.2, whose tables have `columns` and no nesting. */
class V22Writer {
  constructor(private readonly ctx: ConvertContext) {}

  contract(c: JsonObject): JsonObject {
    const { ctx } = this;
    const description = isObject(c.description) ? c.description : undefined;
    const custom = customList(c.customProperties);
    for (const key of ["servers", "dataProduct", "authoritativeDefinitions"]) {
      if (c[key] === undefined) continue;
      custom.push({ property: key, value: c[key] });
      ctx.warn([key], "odcs-export-downgraded", `ODCS v2.2 has no ${key}; it went to customProperties`);
    }
    const support = Array.isArray(c.support) ? c.support.filter(isObject) : [];
    const email = support.find((s) => typeof s.url === "string" && s.url.startsWith("mailto:"));
    const slack = support.find((s) => s.tool === "slack");
    if (support.length > (email ? 1 : 0) + (slack && slack !== email ? 1 : 0)) {
      custom.push({ property: "support", value: support });
      ctx.warn(
        ["support"],
        "odcs-export-downgraded",
        "ODCS v2.2 has one product mailing list and one Slack channel; all support channels went to customProperties",
      );
    }
    const sla = Array.isArray(c.slaProperties) ? c.slaProperties.filter(isObject) : [];
    return compact({
      kind: "DataContract",
      apiVersion: "v2.2.2",
      uuid: c.id,
      version: c.version,
      status: c.status,
      quantumName: c.name,
      datasetDomain: c.domain,
      tenant: c.tenant,
      description: description
        ? compact({ purpose: description.purpose, usage: description.usage, limitations: description.limitations })
        : undefined,
      productDl: typeof email?.url === "string" ? email.url.slice("mailto:".length) : undefined,
      productSlackChannel: typeof slack?.channel === "string" ? slack.channel : undefined,
      tags: c.tags,
      dataset: (Array.isArray(c.schema) ? c.schema.filter(isObject) : []).map((o, i) => this.table(o, ["schema", i])),
      price: c.price,
      stakeholders: Array.isArray(c.team) ? c.team : undefined,
      roles: c.roles,
      slaProperties: sla.map(({ element, ...s }) => compact({ ...s, column: element })),
      contractCreatedTs: c.contractCreatedTs,
      customProperties: custom,
    });
  }

  private table(o: JsonObject, path: Path): JsonObject {
    const custom = customList(o.customProperties);
    if (o.businessName !== undefined) custom.push({ property: "businessName", value: o.businessName });
    return compact({
      table: o.name,
      physicalName: o.physicalName,
      description: o.description,
      authoritativeDefinitions: o.authoritativeDefinitions,
      dataGranularity: o.dataGranularityDescription,
      tags: o.tags,
      columns: (Array.isArray(o.properties) ? o.properties.filter(isObject) : []).flatMap((p, i) =>
        this.column(p, [...path, "properties", i], ""),
      ),
      quality: this.quality(o.quality),
      customProperties: custom,
    });
  }

  /** v2.2 columns are flat: nested properties become `parent.child` columns (a warning says so). */
  private column(p: JsonObject, path: Path, prefix: string): JsonObject[] {
    const name = `${prefix}${String(p.name)}`;
    const custom = customList(p.customProperties);
    if (p.logicalTypeOptions !== undefined)
      custom.push({ property: "logicalTypeOptions", value: p.logicalTypeOptions });
    if (p.items !== undefined) {
      custom.push({ property: "items", value: p.items });
      this.ctx.warn(
        [...path, "items"],
        "odcs-export-downgraded",
        "ODCS v2.2 columns have no items; they went to customProperties",
      );
    }
    const column = compact({
      column: name,
      businessName: p.businessName,
      logicalType: p.logicalType,
      physicalType: p.physicalType,
      isPrimaryKey: p.primaryKey === true ? true : undefined,
      primaryKeyPosition: p.primaryKey === true ? p.primaryKeyPosition : undefined,
      isNullable: p.required === true ? false : undefined,
      isUnique: p.unique === true ? true : undefined,
      partitionStatus: p.partitioned,
      partitionKeyPosition: p.partitionKeyPosition,
      classification: p.classification,
      description: p.description,
      tags: p.tags,
      sampleValues: p.examples,
      authoritativeDefinitions: p.authoritativeDefinitions,
      encryptedColumnName: p.encryptedName,
      transformSourceTables: p.transformSourceObjects,
      transformLogic: p.transformLogic,
      transformDescription: p.transformDescription,
      criticalDataElementStatus: p.criticalDataElement,
      quality: this.quality(p.quality),
      customProperties: custom,
    });
    const nested = Array.isArray(p.properties) ? p.properties.filter(isObject) : [];
    if (nested.length > 0) {
      this.ctx.warn(
        [...path, "properties"],
        "odcs-export-downgraded",
        `ODCS v2.2 has no nested columns; written as ${name}.<child> columns`,
      );
    }
    return [column, ...nested.flatMap((c, i) => this.column(c, [...path, "properties", i], `${name}.`))];
  }

  /** v3 rules → v2 rules: the rule name becomes `code`, everything else is kept as it was. */
  private quality(list: unknown): JsonObject[] | undefined {
    if (!Array.isArray(list)) return undefined;
    return list.filter(isObject).map((q) => {
      const { rule, schedule, scheduler: _s, ...rest } = q;
      return compact({ code: rule, ...rest, scheduleCronExpression: schedule });
    });
  }
}
