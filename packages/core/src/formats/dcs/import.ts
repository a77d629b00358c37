import type { Path } from "../../issues.js";
import { detectKind } from "../../spec/kinds.js";
import type { SourceDocument } from "../../spec/source.js";
import { validateSchema } from "../../spec/validate.js";
import { ConvertContext, type CustomProperty, compact, isObject, type JsonObject } from "../convert-context.js";
import { dbtSchemaToOdcsObjects } from "../dbt/import.js";
import type { ImportResult } from "../format.js";
import { distributeExamples, exampleRows } from "./examples.js";
import { convertQualityList, convertTopLevelQuality } from "./quality.js";
import { convertServers } from "./servers.js";
import { convertServiceLevels } from "./servicelevels.js";
import { mapDcsType, type OdcsLogicalType, physicalNameConfigKeys, physicalTypeConfigKeys } from "./types.js";

export const dcsVersions = ["0.9.0", "0.9.1", "0.9.2", "0.9.3", "1.0.0", "1.1.0", "1.2.0", "1.2.1"] as const;

/** DCS `info.status` → ODCS `status`. */
const statuses: Readonly<Record<string, string>> = {
  proposed: "proposed",
  draft: "draft",
  "in development": "draft",
  development: "draft",
  active: "active",
  deprecated: "deprecated",
  retired: "retired",
};

/** ODCS `logicalTypeOptions` each logical type accepts (the schema forbids any other key). */
const optionKeys: Readonly<Record<OdcsLogicalType, readonly string[]>> = {
  string: ["minLength", "maxLength", "pattern", "format"],
  date: ["format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"],
  timestamp: ["format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "timezone", "defaultTimezone"],
  time: ["format", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "timezone", "defaultTimezone"],
  integer: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format"],
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "format"],
  object: ["minProperties", "maxProperties", "required"],
  array: ["minItems", "maxItems", "uniqueItems"],
  boolean: [],
};

/** Dates and times carry their bounds as strings in ODCS. */
const temporal = new Set<OdcsLogicalType>(["date", "timestamp", "time"]);

const constraintKeys = [
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
];

/** Field keys the converter reads; any other key is kept as a custom property. */
const fieldKeys = new Set([
  "$ref",
  "title",
  "description",
  "type",
  "required",
  "unique",
  "primary",
  "primaryKey",
  "classification",
  "tags",
  "example",
  "examples",
  "pii",
  "references",
  "links",
  "quality",
  "lineage",
  "config",
  "fields",
  "items",
  "keys",
  "values",
  "enum",
  "format",
  "precision",
  "scale",
  ...constraintKeys,
]);

/** Key order of converted properties (as in the ODCS examples). */
const propertyKeyOrder = [
  "name",
  "businessName",
  "description",
  "logicalType",
  "logicalTypeOptions",
  "physicalType",
  "required",
  "unique",
  "primaryKey",
  "primaryKeyPosition",
  "classification",
  "tags",
  "examples",
  "relationships",
  "transformSourceObjects",
  "transformDescription",
  "authoritativeDefinitions",
  "properties",
  "items",
  "quality",
  "customProperties",
];

/** Definition keys that describe the definition itself, not the field using it. */
const definitionOnlyKeys = new Set(["domain", "name"]);

const modelKeys = new Set([
  "description",
  "type",
  "title",
  "fields",
  "primaryKey",
  "quality",
  "examples",
  "config",
  "tags",
]);

const rootKeys = new Set([
  "dataContractSpecification",
  "id",
  "info",
  "servers",
  "terms",
  "models",
  "definitions",
  "servicelevels",
  "links",
  "tags",
  "quality",
  "examples",
]);

const infoKeys = new Set([
  "title",
  "version",
  "status",
  "description",
  "owner",
  "contact",
  "domain",
  "tenant",
  "links",
]);
const termsKeys = new Set(["usage", "limitations", "policies", "billing", "noticePeriod", "description"]);

/** ODCS shorthand reference `table.column`. */
const shorthandRef = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

interface Resolved {
  field: JsonObject;
  /** Where each key of the merged field was written (its own node, or the definition's). */
  at: (key: string) => Path;
}

/**
 * Converts a Data Contract Specification document (0.9.x–1.2.1) to an ODCS v3.1.0 contract.
 * Everything ODCS can say is mapped; what it cannot is kept as a custom property (info) or
 * dropped with a warning at the exact source node.
 */
export function importDcs(src: SourceDocument): ImportResult {
  const converter = new DcsConverter(src);
  return converter.run();
}

class DcsConverter {
  private readonly ctx: ConvertContext;
  private readonly root: JsonObject;

  constructor(private readonly src: SourceDocument) {
    this.ctx = new ConvertContext(src);
    this.root = isObject(src.value) ? src.value : {};
  }

  run(): ImportResult {
    const { ctx, src, root } = this;
    ctx.issues.push(...src.issues);
    if (!src.readable) return { value: {}, issues: ctx.issues };
    if (detectKind(src.value)?.kind !== "dcs") {
      ctx.error([], "dcs-not-dcs", "not a Data Contract Specification document: dataContractSpecification is missing");
      return { value: {}, issues: ctx.issues };
    }
    // The official schema is the latest version's (1.2.1); older documents may differ from it
    // legitimately, so its findings are warnings: conversion stops only on what it cannot read.
    ctx.issues.push(
      ...validateSchema(src, "dcs").map((i) => (i.severity === "error" ? { ...i, severity: "warning" as const } : i)),
    );
    const version = String(root.dataContractSpecification);
    if (!(dcsVersions as readonly string[]).includes(version)) {
      ctx.warn(
        ["dataContractSpecification"],
        "dcs-version",
        `DCS ${version} is not a known version (${dcsVersions.join(", ")}); read as 1.2.1`,
      );
    }
    const info = ctx.object(root.info, ["info"], "info") ?? {};
    for (const key of ["id"] as const) {
      if (typeof root[key] !== "string" || root[key] === "") ctx.error([key], "dcs-required", `${key} is required`);
    }
    if (root.info === undefined) ctx.error([], "dcs-required", "info is required");
    for (const key of ["title", "version"]) {
      if (root.info !== undefined && (info[key] === undefined || info[key] === null)) {
        ctx.error(["info"], "dcs-required", `info.${key} is required`);
      }
    }

    const schema = this.models();
    const contract = compact({
      apiVersion: "v3.1.0",
      kind: "DataContract",
      id: ctx.text(root.id, ["id"]),
      name: ctx.text(info.title, ["info", "title"]),
      version: ctx.text(info.version, ["info", "version"]) ?? "0.0.0",
      status: this.status(info),
      domain: ctx.text(info.domain, ["info", "domain"]),
      tenant: ctx.text(info.tenant, ["info", "tenant"]),
      tags: this.tags(root.tags, ["tags"]),
      description: this.description(info),
      authoritativeDefinitions: [
        ...(this.links(info.links, ["info", "links"]) ?? []),
        ...(this.links(root.links, ["links"]) ?? []),
      ],
      servers: convertServers(ctx, root.servers),
      schema,
      team: typeof info.owner === "string" ? { name: info.owner } : undefined,
      support: this.support(info),
      slaProperties: convertServiceLevels(ctx, root.servicelevels),
      price: this.price(),
      customProperties: this.rootCustomProperties(info),
    });
    return { value: contract, issues: ctx.issues };
  }

  private status(info: JsonObject): string {
    const raw = typeof info.status === "string" ? info.status : undefined;
    if (raw === undefined) return "draft";
    return statuses[raw.toLowerCase()] ?? raw;
  }

  private tags(value: unknown, path: Path): string[] | undefined {
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.ctx.warn(path, "dcs-unmapped", "tags must be a list; they were dropped");
      return undefined;
    }
    return value.map(String);
  }

  private links(value: unknown, path: Path): JsonObject[] | undefined {
    const links = this.ctx.object(value, path, "links");
    if (!links) return undefined;
    return Object.entries(links).flatMap(([type, url]) => {
      if (typeof url === "string") return [{ type, url }];
      this.ctx.warn([...path, type], "dcs-unmapped", "a link must be a URL; it was dropped");
      return [];
    });
  }

  private description(info: JsonObject): JsonObject | undefined {
    const { ctx, root } = this;
    const terms = ctx.object(root.terms, ["terms"], "terms") ?? {};
    const custom: CustomProperty[] = [];
    const authoritative: JsonObject[] = [];
    const policies = ctx.list(terms.policies, ["terms", "policies"], "terms.policies") ?? [];
    policies.forEach((p, i) => {
      const path = ["terms", "policies", i];
      if (!isObject(p)) {
        ctx.warn(path, "dcs-unmapped", "a policy must be a mapping; it was dropped");
        return;
      }
      const type = String(p.type ?? p.name ?? "policy");
      const description = [p.name, p.description].filter((x) => typeof x === "string").join(": ") || undefined;
      if (typeof p.url === "string") authoritative.push(compact({ type, url: p.url, description }));
      else custom.push({ property: "policy", value: p });
    });
    for (const key of ["billing", "noticePeriod"]) {
      if (terms[key] === undefined) continue;
      if (key === "billing" && this.parsedBilling()) continue;
      custom.push({ property: key, value: terms[key] });
    }
    for (const [key, value] of Object.entries(terms)) {
      if (termsKeys.has(key)) continue;
      custom.push({ property: key, value });
      ctx.info(["terms", key], "dcs-custom-property", `terms.${key} kept as a custom property of description`);
    }
    let purpose = ctx.text(info.description, ["info", "description"]);
    const termsDescription = ctx.text(terms.description, ["terms", "description"]);
    if (termsDescription !== undefined) {
      if (purpose === undefined) purpose = termsDescription;
      else custom.push({ property: "termsDescription", value: termsDescription });
    }
    return compact({
      purpose: purpose?.trimEnd(),
      usage: ctx.text(terms.usage, ["terms", "usage"])?.trimEnd(),
      limitations: ctx.text(terms.limitations, ["terms", "limitations"])?.trimEnd(),
      authoritativeDefinitions: authoritative,
      customProperties: custom,
    });
  }

  /** `5000 USD per month` → ODCS price; free text stays a custom property. */
  private parsedBilling(): JsonObject | undefined {
    const terms = isObject(this.root.terms) ? this.root.terms : {};
    if (typeof terms.billing !== "string") return undefined;
    const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]{3})\s*(?:per|\/)\s*(.+?)\s*$/.exec(terms.billing);
    if (!m) return undefined;
    return { priceAmount: Number(m[1]), priceCurrency: m[2]?.toUpperCase(), priceUnit: m[3] };
  }

  private price(): JsonObject | undefined {
    return this.parsedBilling();
  }

  private support(info: JsonObject): JsonObject[] | undefined {
    const contact = this.ctx.object(info.contact, ["info", "contact"], "info.contact");
    if (!contact) return undefined;
    const name = typeof contact.name === "string" ? contact.name : undefined;
    const out: JsonObject[] = [];
    if (typeof contact.url === "string") {
      out.push(compact({ channel: name ?? "contact", tool: toolOf(contact.url), url: contact.url }));
    }
    if (typeof contact.email === "string") {
      out.push(compact({ channel: name ?? contact.email, tool: "email", url: `mailto:${contact.email}` }));
    }
    if (out.length === 0 && name !== undefined) {
      this.ctx.warn(
        ["info", "contact"],
        "dcs-unmapped",
        "a contact without url or email has no ODCS support channel; dropped",
      );
    }
    for (const key of Object.keys(contact)) {
      if (!["name", "url", "email"].includes(key)) {
        this.ctx.warn(
          ["info", "contact", key],
          "dcs-unmapped",
          `info.contact.${key} has no ODCS equivalent; it was dropped`,
        );
      }
    }
    return out;
  }

  private rootCustomProperties(info: JsonObject): CustomProperty[] {
    const custom: CustomProperty[] = [];
    for (const [key, value] of Object.entries(info)) {
      if (infoKeys.has(key)) continue;
      custom.push({ property: key, value });
      this.ctx.info(["info", key], "dcs-custom-property", `info.${key} kept as a custom property`);
    }
    for (const [key, value] of Object.entries(this.root)) {
      if (rootKeys.has(key) || (key === "schema" && this.dbtSchema())) continue;
      custom.push({ property: key, value });
      this.ctx.info([key], "dcs-custom-property", `${key} kept as a custom property`);
    }
    return custom;
  }

  /** DCS 0.9 `schema: { type: dbt, specification }` stands for `models` when these are absent. */
  private dbtSchema(): boolean {
    const schema = this.root.schema;
    return this.root.models === undefined && isObject(schema) && schema.type === "dbt";
  }

  private models(): JsonObject[] {
    const { ctx, root } = this;
    if (this.dbtSchema() && isObject(root.schema)) {
      return dbtSchemaToOdcsObjects(ctx, root.schema.specification, ["schema", "specification"]);
    }
    const models = ctx.object(root.models, ["models"], "models") ?? {};
    const names = Object.keys(models);
    const topQuality = root.quality === undefined ? new Map() : convertTopLevelQuality(ctx, root.quality, names);
    const topExamples = this.topLevelExamples(names);
    return Object.entries(models).flatMap(([name, raw]) => {
      const model = ctx.object(raw, ["models", name], `model ${name}`);
      if (!model) return [];
      return [this.model(name, model, topQuality.get(name) ?? [], topExamples.get(name) ?? [])];
    });
  }

  private model(name: string, model: JsonObject, extraQuality: JsonObject[], extraRows: JsonObject[]): JsonObject {
    const { ctx } = this;
    const path = ["models", name];
    const pk = Array.isArray(model.primaryKey) ? model.primaryKey.map(String) : [];
    const fields = ctx.object(model.fields, [...path, "fields"], "fields") ?? {};
    const properties = this.fields(fields, [...path, "fields"], pk);
    const rows = [...extraRows];
    if (model.examples !== undefined) {
      const list = Array.isArray(model.examples) ? model.examples : [model.examples];
      for (const ex of list) rows.push(...exampleRows(ex, typeof ex === "string" ? "csv" : undefined));
      if (rows.length === 0) {
        ctx.warn([...path, "examples"], "dcs-unmapped", "examples could not be read as rows; they were dropped");
      }
    }
    distributeExamples(properties, rows, propertyKeyOrder);
    const custom: CustomProperty[] = [];
    let physicalName: string | undefined;
    const config = ctx.object(model.config, [...path, "config"], "config") ?? {};
    for (const [key, value] of Object.entries(config)) {
      if (
        physicalName === undefined &&
        (physicalNameConfigKeys as readonly string[]).includes(key) &&
        typeof value === "string"
      ) {
        physicalName = value;
        continue;
      }
      custom.push({ property: key, value });
    }
    if (model.additionalFields !== undefined)
      custom.push({ property: "additionalFields", value: model.additionalFields });
    for (const [key, value] of Object.entries(model)) {
      if (modelKeys.has(key) || key === "additionalFields") continue;
      custom.push({ property: key, value });
      ctx.info([...path, key], "dcs-custom-property", `models.${name}.${key} kept as a custom property`);
    }
    for (const key of pk) {
      if (!(key in fields))
        ctx.warn([...path, "primaryKey"], "dcs-unmapped", `primary key field ${key} is not a field of ${name}`);
    }
    return compact({
      name,
      physicalName,
      logicalType: "object",
      physicalType: typeof model.type === "string" ? model.type : "table",
      businessName: ctx.text(model.title, [...path, "title"]),
      description: ctx.text(model.description, [...path, "description"])?.trimEnd(),
      tags: this.tags(model.tags, [...path, "tags"]),
      properties,
      quality: [...convertQualityList(ctx, model.quality, [...path, "quality"]), ...extraQuality],
      customProperties: custom,
    });
  }

  private fields(fields: JsonObject, path: Path, pk: readonly string[] = []): JsonObject[] {
    let position = 0;
    return Object.entries(fields).flatMap(([name, raw]) => {
      const fieldPath = [...path, name];
      const field = this.ctx.object(raw ?? {}, fieldPath, `field ${name}`);
      if (!field) return [];
      const isPk = pk.includes(name) || field.primaryKey === true || field.primary === true;
      const pkPosition = pk.includes(name) ? pk.indexOf(name) + 1 : isPk ? ++position : undefined;
      return [this.field(name, field, fieldPath, pkPosition)];
    });
  }

  /** Merges a `$ref`'d definition under the field (the field's own keys win). */
  private resolve(raw: JsonObject, path: Path, seen: readonly string[] = []): Resolved {
    const own = (key: string): Path => [...path, key];
    const ref = raw.$ref;
    const { $ref: _ignored, ...rest } = raw;
    if (typeof ref !== "string") return { field: raw, at: own };
    const refPath = [...path, "$ref"];
    const m = /^#\/definitions\/(.+)$/.exec(ref);
    if (!m?.[1]) {
      this.ctx.warn(refPath, "dcs-ref-external", `${ref} is not a local #/definitions/ reference; it was not resolved`);
      return { field: rest, at: own };
    }
    const name = m[1].replaceAll("~1", "/").replaceAll("~0", "~");
    const definitions = isObject(this.root.definitions) ? this.root.definitions : {};
    const def = definitions[name];
    if (!isObject(def)) {
      this.ctx.warn(
        refPath,
        "dcs-ref-unresolved",
        `no definition ${JSON.stringify(name)} in definitions; the reference was not resolved`,
      );
      return { field: rest, at: own };
    }
    if (seen.includes(name)) {
      this.ctx.warn(refPath, "dcs-ref-cycle", `definition ${name} refers to itself through ${seen.join(" → ")}`);
      return { field: rest, at: own };
    }
    const base = this.resolve(def, ["definitions", name], [...seen, name]);
    const merged: JsonObject = {};
    for (const [k, v] of Object.entries(base.field)) if (!definitionOnlyKeys.has(k)) merged[k] = v;
    Object.assign(merged, rest);
    return { field: merged, at: (key) => (key in rest ? own(key) : base.at(key)) };
  }

  private field(name: string | undefined, raw: JsonObject, path: Path, pkPosition?: number): JsonObject {
    const { ctx } = this;
    const { field: f, at } = this.resolve(raw, path);
    const rawType = typeof f.type === "string" ? f.type : undefined;
    const mapping = rawType === undefined ? undefined : mapDcsType(rawType);
    if (rawType !== undefined && !mapping) {
      ctx.warn(
        at("type"),
        "dcs-unknown-type",
        `${JSON.stringify(rawType)} is not a DCS type; kept as physicalType only`,
      );
    }
    if (rawType !== undefined && mapping && mapping.logicalType === undefined) {
      ctx.info(at("type"), "dcs-no-logical-type", `ODCS has no logical type for ${rawType}; kept as physicalType`);
    }
    let logicalType: OdcsLogicalType | undefined =
      mapping?.logicalType ??
      (rawType === undefined ? (f.fields ? "object" : f.items ? "array" : undefined) : undefined);
    const custom: CustomProperty[] = [];
    const keep = (key: string, value: unknown, why: string) => {
      custom.push({ property: key, value });
      ctx.info(at(key), "dcs-custom-property", `${key} ${why}; kept as a custom property`);
    };

    // Physical type: an engine-specific type from config wins, else the DCS type (with precision).
    const config = isObject(f.config) ? f.config : {};
    let physicalType: string | undefined;
    for (const key of physicalTypeConfigKeys) {
      if (typeof config[key] === "string") {
        physicalType = config[key] as string;
        break;
      }
    }
    for (const [key, value] of Object.entries(config)) {
      if (
        physicalType !== undefined &&
        config[key] === physicalType &&
        (physicalTypeConfigKeys as readonly string[]).includes(key)
      )
        continue;
      custom.push({ property: key, value });
    }
    const precision = typeof f.precision === "number" ? f.precision : undefined;
    const scale = typeof f.scale === "number" ? f.scale : undefined;
    if (physicalType === undefined && rawType !== undefined) {
      physicalType =
        precision !== undefined ? `${rawType}(${precision}${scale !== undefined ? `,${scale}` : ""})` : rawType;
    } else {
      if (precision !== undefined) custom.push({ property: "precision", value: precision });
      if (scale !== undefined) custom.push({ property: "scale", value: scale });
    }
    if (isObject(f.keys) || isObject(f.values)) {
      const k = isObject(f.keys) && typeof f.keys.type === "string" ? f.keys.type : "string";
      const v = isObject(f.values) && typeof f.values.type === "string" ? f.values.type : "variant";
      physicalType = `map<${k},${v}>`;
      ctx.warn(
        at(isObject(f.values) ? "values" : "keys"),
        "dcs-unmapped",
        "ODCS has no map type: keys and values are kept only in physicalType",
      );
    }

    // Constraints → logicalTypeOptions where the logical type allows them, else custom properties.
    const options: JsonObject = { ...(mapping?.options ?? {}) };
    const allowed = logicalType ? optionKeys[logicalType] : [];
    for (const key of constraintKeys) {
      if (f[key] === undefined || f[key] === null) continue;
      if (allowed.includes(key)) options[key] = logicalType && temporal.has(logicalType) ? String(f[key]) : f[key];
      else keep(key, f[key], `does not apply to logical type ${logicalType ?? "(none)"}`);
    }
    if (f.format !== undefined && f.format !== null) {
      if (logicalType === "string") options.format = f.format;
      else keep("format", f.format, "is only a string option in ODCS");
    }
    for (const key of Object.keys(options)) if (!allowed.includes(key)) delete options[key];
    // Bounds that contradict each other would make every value invalid: kept aside, not enforced.
    for (const [low, high] of [
      ["minLength", "maxLength"],
      ["minimum", "maximum"],
      ["minItems", "maxItems"],
    ] as const) {
      const a = options[low];
      const b = options[high];
      if (typeof a === "number" && typeof b === "number" && a > b) {
        delete options[low];
        delete options[high];
        ctx.warn(
          at(low),
          "dcs-bounds-contradict",
          `${low} ${a} is above ${high} ${b}: no value could meet both; neither is checked`,
        );
        custom.push({ property: low, value: a }, { property: high, value: b });
      }
    }

    // Keys that are not mapped at all.
    for (const [key, value] of Object.entries(f)) {
      if (fieldKeys.has(key)) continue;
      keep(key, value, "has no ODCS equivalent");
    }
    if (f.pii !== undefined) custom.push({ property: "pii", value: f.pii });

    const quality = convertQualityList(ctx, f.quality, at("quality"));
    if (Array.isArray(f.enum)) {
      quality.unshift({
        type: "library",
        description: `Only these values are allowed: ${f.enum.map(String).join(", ")}`,
        metric: "invalidValues",
        arguments: { validValues: f.enum },
        mustBe: 0,
      });
    }

    let relationships: JsonObject[] | undefined;
    if (typeof f.references === "string") {
      if (shorthandRef.test(f.references)) relationships = [{ type: "foreignKey", to: f.references }];
      else keep("references", f.references, "is not a table.column reference ODCS can express");
    }

    let transformSourceObjects: string[] | undefined;
    let transformDescription: string | undefined;
    if (isObject(f.lineage)) {
      const inputs = Array.isArray(f.lineage.inputFields) ? f.lineage.inputFields.filter(isObject) : [];
      transformSourceObjects = inputs.map((i) => [i.name, i.field].filter((x) => typeof x === "string").join("."));
      if (typeof f.lineage.transformationDescription === "string")
        transformDescription = f.lineage.transformationDescription;
      custom.push({ property: "lineage", value: f.lineage });
    }

    let examples: unknown[] | undefined;
    if (Array.isArray(f.examples)) examples = f.examples;
    else if (f.example !== undefined) examples = [f.example];

    const nested = isObject(f.fields) ? this.fields(f.fields, at("fields")) : undefined;
    if (nested && logicalType !== "object" && logicalType !== undefined) {
      ctx.warn(at("fields"), "dcs-unmapped", `nested fields under logical type ${logicalType}; written as an object`);
      logicalType = "object";
    }
    let items: JsonObject | undefined;
    if (isObject(f.items)) {
      if (logicalType === "array") items = this.field(undefined, f.items, at("items"));
      else
        ctx.warn(
          at("items"),
          "dcs-unmapped",
          `items only apply to arrays; dropped for logical type ${logicalType ?? "(none)"}`,
        );
    }

    return compact({
      name,
      businessName: ctx.text(f.title, at("title")),
      description: ctx.text(f.description, at("description"))?.trimEnd(),
      logicalType,
      logicalTypeOptions: options,
      physicalType,
      required: typeof f.required === "boolean" ? f.required : undefined,
      unique: typeof f.unique === "boolean" ? f.unique : undefined,
      primaryKey: pkPosition !== undefined ? true : undefined,
      primaryKeyPosition: pkPosition,
      classification: ctx.text(f.classification, at("classification")),
      tags: this.tags(f.tags, at("tags")),
      examples,
      relationships,
      transformSourceObjects,
      transformDescription,
      authoritativeDefinitions: this.links(f.links, at("links")),
      properties: nested,
      items,
      quality,
      customProperties: custom,
    });
  }

  /** DCS 0.9 top-level `examples: [{ model, type, data }]` → rows per model. */
  private topLevelExamples(modelNames: readonly string[]): Map<string, JsonObject[]> {
    const out = new Map<string, JsonObject[]>();
    const list = this.ctx.list(this.root.examples, ["examples"], "examples") ?? [];
    list.forEach((ex, i) => {
      const path = ["examples", i];
      if (!isObject(ex)) {
        this.ctx.warn(path, "dcs-unmapped", "an example must be a mapping; it was dropped");
        return;
      }
      const model = typeof ex.model === "string" ? ex.model : modelNames.length === 1 ? modelNames[0] : undefined;
      if (model === undefined || !modelNames.includes(model)) {
        this.ctx.warn(path, "dcs-unmapped", `example for unknown model ${JSON.stringify(ex.model ?? "")}; dropped`);
        return;
      }
      const rows = exampleRows(ex.data, typeof ex.type === "string" ? ex.type : undefined);
      if (rows.length === 0)
        this.ctx.warn([...path, "data"], "dcs-unmapped", "example data could not be read as rows; dropped");
      out.set(model, [...(out.get(model) ?? []), ...rows]);
    });
    return out;
  }
}

/** The ODCS support tool a contact URL points to. */
function toolOf(url: string): string | undefined {
  const tools: Readonly<Record<string, string>> = {
    "teams.microsoft.com": "teams",
    "slack.com": "slack",
    "discord.com": "discord",
    "discord.gg": "discord",
    "chat.google.com": "googlechat",
  };
  if (url.startsWith("mailto:")) return "email";
  const host = /^[a-z]+:\/\/([^/:?#]+)/i.exec(url)?.[1]?.toLowerCase() ?? "";
  for (const [suffix, tool] of Object.entries(tools)) if (host === suffix || host.endsWith(`.${suffix}`)) return tool;
  return "other";
}
