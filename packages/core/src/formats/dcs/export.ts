import type { Path } from "../../issues.js";
import { SourceDocument } from "../../spec/source.js";
import { validateSchema } from "../../spec/validate.js";
import { ConvertContext, compact, isObject, type JsonObject } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";
import { toIdentifier } from "../names.js";
import { toYamlText } from "../yaml-output.js";

/** The DCS version the exporter writes (the newest, whose official schema Quanta vendors). */
export const dcsExportVersion = "1.2.1";

/** Root keys of an ODCS contract the exporter maps; any other key gets a "not mapped" warning. */
const mappedRootKeys = new Set([
  "apiVersion",
  "kind",
  "id",
  "name",
  "version",
  "status",
  "domain",
  "tenant",
  "tags",
  "description",
  "authoritativeDefinitions",
  "servers",
  "schema",
  "team",
  "support",
  "slaProperties",
  "slaDefaultElement",
  "price",
  "customProperties",
]);

const mappedObjectKeys = new Set([
  "name",
  "id",
  "physicalName",
  "physicalType",
  "logicalType",
  "businessName",
  "description",
  "tags",
  "properties",
  "quality",
  "relationships",
  "authoritativeDefinitions",
  "customProperties",
]);

const mappedPropertyKeys = new Set([
  "name",
  "id",
  "businessName",
  "description",
  "logicalType",
  "logicalTypeOptions",
  "physicalType",
  "physicalName",
  "required",
  "unique",
  "primaryKey",
  "primaryKeyPosition",
  "classification",
  "tags",
  "examples",
  "relationships",
  "authoritativeDefinitions",
  "properties",
  "items",
  "quality",
  "customProperties",
  "transformSourceObjects",
  "transformDescription",
]);

/** `logicalTypeOptions` that DCS fields carry under the same name. */
const fieldConstraintKeys = [
  "minLength",
  "maxLength",
  "pattern",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
];

/** DCS model types; any other ODCS physicalType of an object stays in `config.physicalType`. */
const modelTypes = new Set(["table", "view", "object"]);

/** ODCS quality operators (DCS has the same names). */
const operators = [
  "mustBe",
  "mustNotBe",
  "mustBeGreaterThan",
  "mustBeGreaterOrEqualTo",
  "mustBeLessThan",
  "mustBeLessOrEqualTo",
  "mustBeBetween",
  "mustNotBeBetween",
];

/** Descriptive quality keys DCS has as well. */
const qualityKeys = [
  "name",
  "description",
  "dimension",
  "severity",
  "businessImpact",
  "method",
  "schedule",
  "scheduler",
  "unit",
  "tags",
];

/** ODCS SLA units → how a DCS duration spells them (ISO 8601 where a letter would be ambiguous). */
const durationOf: Readonly<Record<string, (v: string) => string>> = {
  ms: (v) => `${v}ms`,
  s: (v) => `${v}s`,
  sec: (v) => `${v}s`,
  second: (v) => `${v}s`,
  seconds: (v) => `${v}s`,
  m: (v) => `${v}m`,
  min: (v) => `${v}m`,
  minute: (v) => `${v}m`,
  minutes: (v) => `${v}m`,
  h: (v) => `${v}h`,
  hour: (v) => `${v}h`,
  hours: (v) => `${v}h`,
  d: (v) => `${v}d`,
  day: (v) => `${v}d`,
  days: (v) => `${v}d`,
  w: (v) => `P${v}W`,
  week: (v) => `P${v}W`,
  weeks: (v) => `P${v}W`,
  mon: (v) => `P${v}M`,
  month: (v) => `P${v}M`,
  months: (v) => `P${v}M`,
  y: (v) => `P${v}Y`,
  yr: (v) => `P${v}Y`,
  year: (v) => `P${v}Y`,
  years: (v) => `P${v}Y`,
};

/**
 * Writes an ODCS v3.1 contract as a Data Contract Specification 1.2.1 document (datacontract.com):
 * schema objects become `models`, properties `fields`, servers a map by name, SLA properties
 * `servicelevels`, description and price `terms`. What DCS cannot hold is reported at the
 * contract's line; the output is checked against the official DCS schema.
 */
export function exportDcs(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const exporter = new DcsWriter(ctx, input.contract as unknown as JsonObject);
  const doc = exporter.run();
  const text = toYamlText(doc);
  // A document the official schema rejects would be a Quanta bug; say so rather than hand it out.
  const invalid = validateSchema(SourceDocument.parse(text, "datacontract.yaml"), "dcs");
  for (const issue of invalid) {
    ctx.issues.push({
      ...issue,
      code: `dcs-export-invalid-${issue.code}`,
      severity: "error",
      message: `the DCS output does not conform to the DCS ${dcsExportVersion} schema (a Quanta bug): ${issue.message}`,
    });
  }
  if (invalid.length > 0) return { files: [], issues: ctx.issues };
  return { files: [{ path: "datacontract.yaml", content: text, mediaType: "application/yaml" }], issues: ctx.issues };
}

class DcsWriter {
  /** Model name (DCS allows only `[A-Za-z0-9_-]`) of each ODCS object name. */
  private readonly modelNames = new Map<string, string>();

  constructor(
    private readonly ctx: ConvertContext,
    private readonly c: JsonObject,
  ) {}

  run(): JsonObject {
    const { c, ctx } = this;
    for (const key of Object.keys(c)) {
      if (!mappedRootKeys.has(key)) ctx.warn([key], "dcs-export-unmapped", `DCS has no ${key}; it was not exported`);
    }
    const objects = Array.isArray(c.schema) ? c.schema : [];
    const taken = new Set<string>();
    objects.forEach((o, i) => {
      if (!isObject(o) || typeof o.name !== "string") return;
      let name = /^[A-Za-z0-9_-]+$/.test(o.name) ? o.name : toIdentifier(o.name, { case: "snake" });
      for (let n = 2; taken.has(name); n++) name = `${toIdentifier(o.name, { case: "snake" })}_${n}`;
      taken.add(name);
      this.modelNames.set(o.name, name);
      if (name !== o.name) {
        ctx.warn(
          ["schema", i, "name"],
          "dcs-export-renamed",
          `DCS model names allow only letters, digits, _ and -; ${JSON.stringify(o.name)} is written as ${name} (the original name is kept in config.odcsName)`,
        );
      }
    });
    return compact({
      dataContractSpecification: dcsExportVersion,
      id: c.id,
      info: this.info(),
      servers: this.servers(),
      terms: this.terms(),
      models: this.models(objects),
      servicelevels: this.serviceLevels(),
      links: this.links(c.authoritativeDefinitions, ["authoritativeDefinitions"]),
      tags: Array.isArray(c.tags) ? c.tags.map(String) : undefined,
    });
  }

  private info(): JsonObject {
    const { c, ctx } = this;
    const description = isObject(c.description) ? c.description : {};
    const team = isObject(c.team) ? c.team : undefined;
    const custom: JsonObject = {};
    (Array.isArray(c.customProperties) ? c.customProperties : []).forEach((p, i) => {
      if (!isObject(p) || typeof p.property !== "string") return;
      if (["title", "version", "status", "description", "owner", "contact", "domain", "tenant"].includes(p.property)) {
        ctx.warn(
          ["customProperties", i],
          "dcs-export-unmapped",
          `custom property ${p.property} would replace info.${p.property}; it was not exported`,
        );
        return;
      }
      custom[p.property] = p.value;
    });
    if (team && typeof team.name !== "string") {
      ctx.warn(
        ["team"],
        "dcs-export-unmapped",
        "DCS names one owner (info.owner); a team without a name was not exported",
      );
    } else if (team && (Array.isArray(team.members) || team.description !== undefined)) {
      ctx.warn(
        ["team"],
        "dcs-export-unmapped",
        "DCS keeps only the team's name (info.owner); its members were not exported",
      );
    }
    return compact({
      title: c.name ?? c.id,
      version: c.version,
      status: c.status,
      description: typeof description.purpose === "string" ? description.purpose : undefined,
      owner: team && typeof team.name === "string" ? team.name : undefined,
      contact: this.contact(),
      domain: c.domain,
      tenant: c.tenant,
      ...custom,
    });
  }

  private contact(): JsonObject | undefined {
    const support = Array.isArray(this.c.support) ? this.c.support : [];
    const channels = support.filter(isObject).filter((s) => typeof s.url === "string");
    const first = channels[0];
    if (!first) return undefined;
    if (channels.length > 1) {
      this.ctx.warn(
        ["support"],
        "dcs-export-unmapped",
        "DCS has one contact; only the first support channel with a URL was exported",
      );
    }
    const url = String(first.url);
    return compact({
      name: typeof first.channel === "string" ? first.channel : undefined,
      ...(url.startsWith("mailto:") ? { email: url.slice("mailto:".length) } : { url }),
    });
  }

  private servers(): JsonObject | undefined {
    const list = Array.isArray(this.c.servers) ? this.c.servers : [];
    const out: JsonObject = {};
    list.forEach((s, i) => {
      if (!isObject(s) || typeof s.server !== "string") return;
      const { server, type, description, environment, roles, customProperties, ...connection } = s;
      const extra: JsonObject = {};
      (Array.isArray(customProperties) ? customProperties : []).forEach((p) => {
        if (isObject(p) && typeof p.property === "string") extra[p.property] = p.value;
      });
      out[server] = compact({
        type,
        environment,
        description,
        ...connection,
        ...extra,
        roles: Array.isArray(roles)
          ? roles.filter(isObject).map((r) => compact({ name: r.role, description: r.description }))
          : undefined,
      });
      if (out[server] && isObject(out[server]) && (out[server] as JsonObject).type === undefined) {
        this.ctx.warn(["servers", i], "dcs-export-unmapped", "a server without a type was not exported");
        delete out[server];
      }
    });
    return Object.keys(out).length > 0 ? out : undefined;
  }

  private terms(): JsonObject | undefined {
    const { c, ctx } = this;
    const description = isObject(c.description) ? c.description : {};
    for (const key of Object.keys(description)) {
      if (!["purpose", "usage", "limitations", "authoritativeDefinitions", "customProperties"].includes(key)) {
        ctx.warn(["description", key], "dcs-export-unmapped", `DCS terms have no ${key}; it was not exported`);
      }
    }
    const policies = (Array.isArray(description.authoritativeDefinitions) ? description.authoritativeDefinitions : [])
      .filter(isObject)
      .map((d) => compact({ name: d.type, description: d.description, url: d.url }));
    const extra: JsonObject = {};
    (Array.isArray(description.customProperties) ? description.customProperties : []).forEach((p) => {
      if (isObject(p) && typeof p.property === "string") extra[p.property] = p.value;
    });
    const price = isObject(c.price) ? c.price : undefined;
    const billing =
      price && price.priceAmount !== undefined
        ? [price.priceAmount, price.priceCurrency, price.priceUnit ? `per ${price.priceUnit}` : undefined]
            .filter((x) => x !== undefined)
            .join(" ")
        : undefined;
    return compact({
      usage: description.usage,
      limitations: description.limitations,
      policies,
      billing,
      ...extra,
    });
  }

  private links(value: unknown, path: Path): JsonObject | undefined {
    if (!Array.isArray(value)) return undefined;
    const out: JsonObject = {};
    value.forEach((d, i) => {
      if (!isObject(d) || typeof d.url !== "string") return;
      let key = typeof d.type === "string" ? d.type : "link";
      for (let n = 2; key in out; n++) key = `${d.type ?? "link"}${n}`;
      out[key] = d.url;
      if (d.description !== undefined) {
        this.ctx.info([...path, i, "description"], "dcs-export-unmapped", "DCS links have no description");
      }
    });
    return Object.keys(out).length > 0 ? out : undefined;
  }

  private models(objects: unknown[]): JsonObject | undefined {
    const out: JsonObject = {};
    objects.forEach((o, i) => {
      if (!isObject(o) || typeof o.name !== "string") return;
      const name = this.modelNames.get(o.name) ?? o.name;
      out[name] = this.model(o, ["schema", i]);
    });
    return Object.keys(out).length > 0 ? out : undefined;
  }

  private model(o: JsonObject, path: Path): JsonObject {
    const { ctx } = this;
    for (const key of Object.keys(o)) {
      if (!mappedObjectKeys.has(key))
        ctx.warn([...path, key], "dcs-export-unmapped", `DCS models have no ${key}; it was not exported`);
    }
    const properties = Array.isArray(o.properties) ? o.properties : [];
    const pk = properties
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => isObject(p) && p.primaryKey === true)
      .sort(
        (a, b) =>
          (Number((a.p as JsonObject).primaryKeyPosition) || 1e9) -
            (Number((b.p as JsonObject).primaryKeyPosition) || 1e9) || a.i - b.i,
      )
      .map(({ p }) => String((p as JsonObject).name));
    const table = typeof o.physicalName === "string" ? o.physicalName : o.name;
    const fields: JsonObject = {};
    properties.forEach((p, i) => {
      if (!isObject(p) || typeof p.name !== "string") return;
      fields[p.name] = this.field(p, [...path, "properties", i], { table: String(table), single: pk.length === 1 });
    });
    const physicalType = typeof o.physicalType === "string" ? o.physicalType : undefined;
    const config: JsonObject = {};
    if (this.modelNames.get(String(o.name)) !== o.name) config.odcsName = o.name;
    if (typeof o.physicalName === "string" && o.physicalName !== this.modelNames.get(String(o.name))) {
      config.physicalName = o.physicalName;
    }
    if (physicalType !== undefined && !modelTypes.has(physicalType)) config.physicalType = physicalType;
    this.customInto(o.customProperties, config);
    for (const [i, rel] of (Array.isArray(o.relationships) ? o.relationships : []).entries()) {
      ctx.warn(
        [...path, "relationships", i],
        "dcs-export-unmapped",
        `DCS has only single-field references; this ${isObject(rel) ? String(rel.type ?? "foreignKey") : ""} relationship of the object was not exported`,
      );
    }
    return compact({
      type: physicalType !== undefined && modelTypes.has(physicalType) ? physicalType : "table",
      title: o.businessName,
      description: o.description,
      primaryKey: pk.length > 1 ? pk : undefined,
      fields,
      quality: this.quality(o.quality, [...path, "quality"], { table: String(table) }),
      config,
    });
  }

  private customInto(value: unknown, into: JsonObject): void {
    for (const p of Array.isArray(value) ? value : []) {
      if (isObject(p) && typeof p.property === "string" && !(p.property in into)) into[p.property] = p.value;
    }
  }

  private field(p: JsonObject, path: Path, where: { table: string; single?: boolean }): JsonObject {
    const { ctx } = this;
    for (const key of Object.keys(p)) {
      if (!mappedPropertyKeys.has(key))
        ctx.warn([...path, key], "dcs-export-unmapped", `DCS fields have no ${key}; it was not exported`);
    }
    const logical = typeof p.logicalType === "string" ? p.logicalType : undefined;
    const options = isObject(p.logicalTypeOptions) ? p.logicalTypeOptions : {};
    const physical = typeof p.physicalType === "string" ? p.physicalType : undefined;
    const config: JsonObject = {};
    if (physical !== undefined) config.physicalType = physical;
    this.customInto(p.customProperties, config);
    const field: JsonObject = {};
    field.title = p.businessName;
    field.description = p.description;
    const decimal = physical ? /^\s*(?:decimal|numeric)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/i.exec(physical) : null;
    field.type = this.type(logical, options, decimal !== null);
    if (decimal) {
      field.precision = Number(decimal[1]);
      field.scale = Number(decimal[2] ?? 0);
    }
    if (p.required === true) field.required = true;
    if (p.unique === true) field.unique = true;
    if (p.primaryKey === true && where.single) field.primaryKey = true;
    for (const key of fieldConstraintKeys) {
      const v = options[key];
      if (v === undefined) continue;
      // DCS bounds are numbers; ODCS writes those of dates and times as strings.
      if (key !== "pattern" && typeof v !== "number") {
        ctx.warn(
          [...path, "logicalTypeOptions", key],
          "dcs-export-unmapped",
          `DCS ${key} must be a number; ${JSON.stringify(v)} was not exported`,
        );
        continue;
      }
      field[key] = v;
    }
    if (typeof options.format === "string" && logical === "string") field.format = options.format;
    for (const key of Object.keys(options)) {
      if (fieldConstraintKeys.includes(key) || key === "format") continue;
      if (key === "timezone" && logical === "timestamp") continue;
      ctx.warn(
        [...path, "logicalTypeOptions", key],
        "dcs-export-unmapped",
        `DCS fields have no ${key}; it was not exported`,
      );
    }
    if (typeof options.format === "string" && logical !== "string" && !["i64", "f32", "f64"].includes(options.format)) {
      ctx.warn(
        [...path, "logicalTypeOptions", "format"],
        "dcs-export-unmapped",
        "DCS formats apply to strings only; it was not exported",
      );
    }
    field.classification = p.classification;
    field.tags = Array.isArray(p.tags) ? p.tags.map(String) : undefined;
    if (Array.isArray(p.examples)) field.examples = p.examples;
    const rels = Array.isArray(p.relationships) ? p.relationships : [];
    rels.forEach((r, i) => {
      const to = isObject(r) ? r.to : undefined;
      if (
        isObject(r) &&
        (r.type === undefined || r.type === "foreignKey") &&
        typeof to === "string" &&
        field.references === undefined
      ) {
        const dot = to.lastIndexOf(".");
        const object = dot > 0 ? to.slice(0, dot) : undefined;
        field.references = object !== undefined ? `${this.modelNames.get(object) ?? object}${to.slice(dot)}` : to;
        return;
      }
      ctx.warn(
        [...path, "relationships", i],
        "dcs-export-unmapped",
        "DCS fields have one single-field reference; this relationship was not exported",
      );
    });
    field.links = this.links(p.authoritativeDefinitions, [...path, "authoritativeDefinitions"]);
    if (Array.isArray(p.transformSourceObjects) || typeof p.transformDescription === "string") {
      field.lineage = compact({
        inputFields: (Array.isArray(p.transformSourceObjects) ? p.transformSourceObjects : []).map((s) => {
          const text = String(s);
          const dot = text.lastIndexOf(".");
          return dot > 0
            ? { namespace: "odcs", name: text.slice(0, dot), field: text.slice(dot + 1) }
            : { namespace: "odcs", name: text, field: text };
        }),
        transformationDescription: p.transformDescription,
      });
    }
    const quality = Array.isArray(p.quality) ? [...p.quality] : [];
    const enumIndex = quality.findIndex(
      (q) =>
        isObject(q) &&
        q.metric === "invalidValues" &&
        isObject(q.arguments) &&
        Array.isArray(q.arguments.validValues) &&
        q.mustBe === 0,
    );
    if (enumIndex >= 0) {
      const rule = quality[enumIndex] as JsonObject;
      field.enum = [...new Set(((rule.arguments as JsonObject).validValues as unknown[]).map(String))];
      quality.splice(enumIndex, 1);
      const consumedKeys = new Set(["metric", "arguments", "mustBe", "type", "description"]);
      const left = Object.keys(rule).filter((k) => !consumedKeys.has(k));
      if (left.length > 0) {
        ctx.info(
          [...path, "quality", enumIndex],
          "dcs-export-unmapped",
          `written as enum; ${left.join(", ")} of the rule were not exported`,
        );
      }
    }
    const table = where.table;
    field.quality = this.quality(quality, [...path, "quality"], { table, property: String(p.name ?? "") }, enumIndex);
    if (logical === "object" && Array.isArray(p.properties)) {
      const nested: JsonObject = {};
      p.properties.forEach((child, i) => {
        if (isObject(child) && typeof child.name === "string")
          nested[child.name] = this.field(child, [...path, "properties", i], { table });
      });
      field.fields = nested;
    }
    if (logical === "array" && isObject(p.items)) field.items = this.field(p.items, [...path, "items"], { table });
    field.config = config;
    return compact(field);
  }

  /** The DCS type of a logical type: the closest one, so that import gives the same logical type back. */
  private type(logical: string | undefined, options: JsonObject, decimal: boolean): string | undefined {
    switch (logical) {
      case "integer":
        return options.format === "i64" ? "long" : "integer";
      case "number":
        if (decimal) return "decimal";
        return options.format === "f32" ? "float" : options.format === "f64" ? "double" : "number";
      case "timestamp":
        return options.timezone === false ? "timestamp_ntz" : "timestamp";
      case "string":
      case "boolean":
      case "date":
      case "time":
      case "object":
      case "array":
        return logical;
      default:
        return undefined;
    }
  }

  /**
   * ODCS quality rules → DCS quality. SQL placeholders `{object}` / `{property}` become the table
   * and column names, since DCS has no placeholders of its own.
   */
  private quality(
    value: unknown,
    path: Path,
    where: { table: string; property?: string },
    skipped = -1,
  ): JsonObject[] | undefined {
    if (!Array.isArray(value)) return undefined;
    const out: JsonObject[] = [];
    value.forEach((q, n) => {
      const i = skipped >= 0 && n >= skipped ? n + 1 : n;
      if (!isObject(q)) return;
      const type =
        typeof q.type === "string" ? q.type : q.metric !== undefined || q.rule !== undefined ? "library" : "text";
      const rule: JsonObject = { type };
      for (const key of qualityKeys) if (q[key] !== undefined) rule[key] = q[key];
      if (type === "library") {
        rule.metric = q.metric ?? q.rule;
        if (isObject(q.arguments)) rule.arguments = q.arguments;
      } else if (type === "sql") {
        rule.query = String(q.query ?? "")
          .replaceAll("{object}", quoteSql(where.table))
          .replaceAll("{property}", where.property === undefined ? "{property}" : quoteSql(where.property));
      } else if (type === "custom") {
        rule.engine = q.engine;
        rule.implementation = q.implementation;
      } else if (type === "text" && rule.description === undefined) {
        rule.description = q.name ?? "";
      }
      for (const key of operators) if (q[key] !== undefined) rule[key] = q[key];
      for (const key of Object.keys(q)) {
        if (
          [
            "type",
            "metric",
            "rule",
            "arguments",
            "query",
            "engine",
            "implementation",
            "id",
            ...qualityKeys,
            ...operators,
          ].includes(key)
        )
          continue;
        this.ctx.warn(
          [...path, i, key],
          "dcs-export-unmapped",
          `DCS quality rules have no ${key}; it was not exported`,
        );
      }
      out.push(compact(rule));
    });
    return out;
  }

  private serviceLevels(): JsonObject | undefined {
    const list = Array.isArray(this.c.slaProperties) ? this.c.slaProperties : [];
    const levels: Record<string, JsonObject> = {};
    const set = (level: string, key: string, value: unknown) => {
      levels[level] = { ...(levels[level] ?? {}), [key]: value };
    };
    list.forEach((s, i) => {
      if (!isObject(s) || typeof s.property !== "string") return;
      const path = ["slaProperties", i];
      const isDuration = !["availability", "supportHours"].includes(s.property);
      const duration = isDuration ? this.duration(s, path) : undefined;
      for (const key of Object.keys(s)) {
        if (["id", "property", "value", "unit", "element", "description", "scheduler", "schedule"].includes(key))
          continue;
        this.ctx.warn([...path, key], "dcs-export-unmapped", `DCS service levels have no ${key}; it was not exported`);
      }
      const element = typeof s.element === "string" ? s.element : undefined;
      const description = typeof s.description === "string" ? s.description : undefined;
      const withDescription = (level: string) => {
        if (description !== undefined) set(level, "description", description);
      };
      switch (s.property) {
        case "availability": {
          const n = Number(s.value);
          if (!Number.isFinite(n)) break;
          set("availability", "percentage", `${n}%`);
          withDescription("availability");
          return;
        }
        case "retention":
          if (s.value === "unlimited") set("retention", "unlimited", true);
          else if (duration !== undefined) set("retention", "period", duration);
          else break;
          if (element) set("retention", "timestampField", element);
          withDescription("retention");
          return;
        case "latency":
        case "freshness":
          if (duration === undefined) break;
          set(s.property, "threshold", duration);
          if (element)
            set(s.property, s.property === "latency" ? "processedTimestampField" : "timestampField", element);
          withDescription(s.property);
          return;
        case "frequency":
          if (s.scheduler !== "cron" && duration === undefined) break;
          if (duration !== undefined) set("frequency", "interval", duration);
          if (s.scheduler === "cron" && typeof s.schedule === "string") set("frequency", "cron", s.schedule);
          withDescription("frequency");
          return;
        case "supportHours":
          set("support", "time", String(s.value));
          withDescription("support");
          return;
        case "responseTime":
          if (duration === undefined) break;
          set("support", "responseTime", duration);
          return;
        case "backupFrequency":
          if (s.scheduler !== "cron" && duration === undefined) break;
          if (duration !== undefined) set("backup", "interval", duration);
          if (s.scheduler === "cron" && typeof s.schedule === "string") set("backup", "cron", s.schedule);
          withDescription("backup");
          return;
        case "recoveryTime":
        case "recoveryPoint":
          if (duration === undefined) break;
          set("backup", s.property, duration);
          return;
      }
      this.ctx.warn(
        path,
        "dcs-export-unmapped",
        `DCS has no service level for ${s.property} ${JSON.stringify(s.value)}; it was not exported`,
      );
    });
    return Object.keys(levels).length > 0 ? levels : undefined;
  }

  private duration(s: JsonObject, path: Path): string | undefined {
    if (typeof s.value !== "number" && typeof s.value !== "string") return undefined;
    if (s.unit === undefined) return typeof s.value === "string" ? s.value : undefined;
    const spell = durationOf[String(s.unit).toLowerCase()];
    if (!spell) {
      this.ctx.warn([...path, "unit"], "dcs-export-unmapped", `DCS durations have no unit ${JSON.stringify(s.unit)}`);
      return undefined;
    }
    return spell(String(s.value));
  }
}

/** A table or column name as SQL: bare when it is a plain identifier, else double-quoted. */
function quoteSql(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}
