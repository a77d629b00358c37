import type { Path } from "../../issues.js";
import { normalizeOdcs } from "../../spec/odcs/normalize.js";
import type { SourceDocument } from "../../spec/source.js";
import { logicalTypeOf } from "../contract-view.js";
import { ConvertContext, type CustomProperty, compact, isObject, type JsonObject } from "../convert-context.js";
import type { ImportResult } from "../format.js";

/** The ODCS versions this importer reads. v3.1.x is read as it is (normalized). */
export const odcsVersions = /^v?(2\.2\.[0-2]|3\.0\.[0-2]|3\.1\.0)$/;

/** ODCS v2 `status` words → ODCS v3. */
const v2Statuses: Readonly<Record<string, string>> = {
  current: "active",
  active: "active",
  draft: "draft",
  proposed: "proposed",
  deprecated: "deprecated",
  retired: "retired",
  unknown: "draft",
};

/** ODCS v2 quality `code`s whose meaning is a v3.1 library metric with a fixed threshold. */
const v2Metrics: Readonly<Record<string, JsonObject>> = {
  nullCheck: { metric: "nullValues", mustBe: 0 },
  uniqueCheck: { metric: "duplicateValues", mustBe: 0 },
  duplicateCheck: { metric: "duplicateValues", mustBe: 0 },
};

const v3Metrics = new Set(["nullValues", "missingValues", "invalidValues", "duplicateValues", "rowCount"]);

/** v2 root keys without a v3 key: kept as custom properties (connection details, product links). */
const v2KeptRootKeys = [
  "userConsumptionMode",
  "type",
  "sourcePlatform",
  "sourceSystem",
  "datasetProject",
  "datasetName",
  "database",
  "server",
  "driver",
  "driverVersion",
  "schedulerAppName",
  "systemInstance",
  "datasetKind",
];

/** Root custom properties of a v2.2 document that are v3 keys, with what their value must be. */
const v2Restorable: Readonly<Record<string, (v: unknown) => boolean>> = {
  servers: Array.isArray,
  support: Array.isArray,
  authoritativeDefinitions: Array.isArray,
  dataProduct: (v) => typeof v === "string",
};

const v2SecretKeys = new Set(["username", "password"]);

const v2RootKeys = new Set([
  "kind",
  "apiVersion",
  "uuid",
  "version",
  "status",
  "quantumName",
  "datasetDomain",
  "tenant",
  "description",
  "tags",
  "price",
  "stakeholders",
  "roles",
  "slaDefaultColumn",
  "slaProperties",
  "dataset",
  "contractCreatedTs",
  "customProperties",
  "productDl",
  "productSlackChannel",
  "productFeedbackUrl",
  ...v2KeptRootKeys,
  ...v2SecretKeys,
]);

const v2TableKeys = new Set([
  "table",
  "physicalName",
  "description",
  "authoritativeDefinitions",
  "dataGranularity",
  "columns",
  "quality",
  "tags",
  "customProperties",
  "priority",
]);

/** v2 column key → v3.1 property key, for those that are only renamed. */
const v2ColumnRenames: Readonly<Record<string, string>> = {
  businessName: "businessName",
  description: "description",
  physicalType: "physicalType",
  classification: "classification",
  tags: "tags",
  sampleValues: "examples",
  authoritativeDefinitions: "authoritativeDefinitions",
  encryptedColumnName: "encryptedName",
  transformSourceTables: "transformSourceObjects",
  transformLogic: "transformLogic",
  transformDescription: "transformDescription",
  partitionStatus: "partitioned",
  criticalDataElementStatus: "criticalDataElement",
  isUnique: "unique",
};

/** v2 column keys kept as custom properties of the property (v3 has no place for them). */
const v2ColumnKept = ["clusterStatus", "clusterKeyPosition", "logicalName"];

/**
 * Reads an ODCS document of an older version into ODCS v3.1.0:
 * - v3.0.x: the v3.1 normalization (team list → team object, library `rule` → `metric`,
 *   `slaDefaultElement` → SLA `element`), plus what that leaves invalid in v3.1: boolean
 *   `exclusiveMinimum`/`exclusiveMaximum` become numeric bounds, a rule-level `validValues`
 *   becomes `arguments.validValues`;
 * - v2.2.x (`dataset` of tables with `columns`): every table becomes a schema object, every
 *   column a property; what v3 has no place for is a custom property or a warning.
 */
export function importOdcs(src: SourceDocument): ImportResult {
  const ctx = new ConvertContext(src);
  ctx.issues.push(...src.issues);
  const root = isObject(src.value) ? src.value : undefined;
  if (root?.kind !== "DataContract") {
    ctx.error([], "odcs-not-odcs", "not an ODCS data contract: `kind: DataContract` is missing");
    return { value: {}, issues: ctx.issues };
  }
  const version = typeof root.apiVersion === "string" ? root.apiVersion : String(root.apiVersion ?? "");
  if (!odcsVersions.test(version)) {
    ctx.error(
      root.apiVersion === undefined ? [] : ["apiVersion"],
      "odcs-version",
      `ODCS ${version || "without apiVersion"} is not a version this importer reads (v2.2.0–v2.2.2, v3.0.0–v3.0.2, v3.1.0)`,
    );
    return { value: {}, issues: ctx.issues };
  }
  const major = version.replace(/^v/, "").split(".").slice(0, 2).join(".");
  const value = major === "2.2" ? new V2Reader(ctx, root).run() : fromV3(ctx, root);
  return { value, issues: ctx.issues };
}

function fromV3(ctx: ConvertContext, root: JsonObject): JsonObject {
  const doc = normalizeOdcs(root) as unknown as JsonObject;
  doc.apiVersion = "v3.1.0";
  // The normalizer copied it to every SLA property without an element; v3.1 deprecates it.
  if (doc.slaDefaultElement !== undefined) {
    if (!Array.isArray(doc.slaProperties)) {
      ctx.warn(["slaDefaultElement"], "odcs-unmapped", "slaDefaultElement without slaProperties was dropped");
    }
    delete doc.slaDefaultElement;
  }
  (Array.isArray(doc.schema) ? doc.schema : []).forEach((o, i) => {
    if (!isObject(o)) return;
    restoreKeys(ctx, o, ["schema", i]);
    upgradeQuality(o.quality);
    for (const [j, p] of (Array.isArray(o.properties) ? o.properties : []).entries()) {
      upgradeProperty(ctx, p, ["schema", i, "properties", j]);
    }
  });
  return doc;
}

/**
 * Keys Quanta's v3.0 export moves to `customProperties` because v3.0 has no place for them
 * (`quanta export --format odcs --option version=v3.0.2`); reading them back restores them.
 */
const restorable = new Set([
  "id",
  "businessName",
  "relationships",
  "logicalType",
  "physicalName",
  "timezone",
  "defaultTimezone",
  "logicalTypeOptions",
  "items",
]);

function restoreKeys(ctx: ConvertContext, element: JsonObject, path: Path): void {
  if (!Array.isArray(element.customProperties)) return;
  const kept: unknown[] = [];
  for (const [i, c] of element.customProperties.entries()) {
    if (!isObject(c) || typeof c.property !== "string" || !restorable.has(c.property) || !restore(element, c)) {
      kept.push(c);
      continue;
    }
    ctx.info(
      [...path, "customProperties", i],
      "odcs-restored",
      `custom property ${c.property} is a v3.1 key; restored`,
    );
  }
  if (kept.length > 0) element.customProperties = kept;
  else delete element.customProperties;
}

/** Puts a kept v3.1 key back on its element; false when it does not fit there. */
function restore(element: JsonObject, c: JsonObject): boolean {
  const key = String(c.property);
  if (key === "logicalType") {
    if (element.logicalType !== "date" || (c.value !== "timestamp" && c.value !== "time")) return false;
    element.logicalType = c.value;
    return true;
  }
  if (key === "timezone" || key === "defaultTimezone") {
    if (element.logicalType !== "timestamp" && element.logicalType !== "time") return false;
    element.logicalTypeOptions = {
      ...(isObject(element.logicalTypeOptions) ? element.logicalTypeOptions : {}),
      [key]: c.value,
    };
    return true;
  }
  if (key === "logicalTypeOptions" && isObject(c.value)) {
    // Options restored one by one (timezone) and the ones kept whole merge.
    element.logicalTypeOptions = {
      ...c.value,
      ...(isObject(element.logicalTypeOptions) ? element.logicalTypeOptions : {}),
    };
    return true;
  }
  if (element[key] !== undefined || (key === "items" && element.logicalType !== "array")) return false;
  element[key] = c.value;
  return true;
}

function upgradeProperty(ctx: ConvertContext, p: unknown, path: Path): void {
  if (!isObject(p)) return;
  restoreKeys(ctx, p, path);
  upgradeQuality(p.quality);
  const options = isObject(p.logicalTypeOptions) ? p.logicalTypeOptions : undefined;
  if (options) {
    for (const [flag, bound] of [
      ["exclusiveMinimum", "minimum"],
      ["exclusiveMaximum", "maximum"],
    ] as const) {
      if (typeof options[flag] !== "boolean") continue;
      if (options[flag] === true && options[bound] !== undefined) {
        // v3.0: `minimum: 5, exclusiveMinimum: true`; v3.1: `exclusiveMinimum: 5`.
        options[flag] = options[bound];
        delete options[bound];
      } else {
        if (options[flag] === true) {
          ctx.warn(
            [...path, "logicalTypeOptions", flag],
            "odcs-unmapped",
            `${flag}: true without ${bound} was dropped`,
          );
        }
        delete options[flag];
      }
    }
  }
  for (const [j, c] of (Array.isArray(p.properties) ? p.properties : []).entries()) {
    upgradeProperty(ctx, c, [...path, "properties", j]);
  }
  if (isObject(p.items)) upgradeProperty(ctx, p.items, [...path, "items"]);
}

function upgradeQuality(quality: unknown): void {
  for (const q of Array.isArray(quality) ? quality : []) {
    if (!isObject(q)) continue;
    const custom = Array.isArray(q.customProperties) ? q.customProperties : [];
    const id = custom.find((c) => isObject(c) && c.property === "id");
    if (isObject(id) && q.id === undefined && typeof id.value === "string") {
      q.id = id.value;
      const rest = custom.filter((c) => c !== id);
      if (rest.length > 0) q.customProperties = rest;
      else delete q.customProperties;
    }
    if (Array.isArray(q.validValues)) {
      q.arguments = { ...(isObject(q.arguments) ? q.arguments : {}), validValues: q.validValues };
      delete q.validValues;
      if (q.metric === undefined) q.metric = "invalidValues";
    }
    if (q.metric !== undefined && q.rule !== undefined) delete q.rule;
  }
}

class V2Reader {
  constructor(
    private readonly ctx: ConvertContext,
    private readonly root: JsonObject,
  ) {}

  run(): JsonObject {
    const { ctx, root } = this;
    const custom: CustomProperty[] = [];
    for (const [key, value] of Object.entries(root)) {
      if (v2SecretKeys.has(key)) {
        ctx.warn([key], "odcs-secret", `${key} looks like a credential; it was not copied into the contract`);
      } else if (v2KeptRootKeys.includes(key)) {
        custom.push({ property: key, value });
        ctx.info([key], "odcs-custom-property", `ODCS v3 has no ${key}; kept as a custom property`);
      } else if (!v2RootKeys.has(key)) {
        custom.push({ property: key, value });
        ctx.warn([key], "odcs-unmapped", `${key} is not an ODCS v2.2 key; kept as a custom property`);
      }
    }
    // v3 keys Quanta's v2.2 export kept as custom properties go back to their place.
    const restored: JsonObject = {};
    for (const [i, p] of (Array.isArray(root.customProperties) ? root.customProperties : []).entries()) {
      if (!isObject(p) || typeof p.property !== "string") continue;
      const back = v2Restorable[p.property];
      if (back?.(p.value) && restored[p.property] === undefined) {
        restored[p.property] = p.value;
        ctx.info(["customProperties", i], "odcs-restored", `custom property ${p.property} is a v3 key; restored`);
      } else custom.push(p as unknown as CustomProperty);
    }
    let id = typeof root.uuid === "string" && root.uuid !== "" ? root.uuid : undefined;
    if (id === undefined) {
      const name = root.quantumName ?? root.datasetName;
      id = typeof name === "string" && name !== "" ? name : undefined;
      ctx.warn(
        root.uuid === undefined ? [] : ["uuid"],
        "odcs-v2-no-uuid",
        id === undefined
          ? "no uuid: the contract needs an id (set one)"
          : `no uuid; ${JSON.stringify(id)} is used as the id`,
      );
    }
    const rawStatus = typeof root.status === "string" ? root.status : "draft";
    const status = v2Statuses[rawStatus.toLowerCase()] ?? rawStatus;
    const description = isObject(root.description) ? compact({ ...root.description }) : undefined;
    const slaDefault = typeof root.slaDefaultColumn === "string" ? root.slaDefaultColumn : undefined;
    const slaProperties = (Array.isArray(root.slaProperties) ? root.slaProperties : []).flatMap((s, i) => {
      if (!isObject(s) || typeof s.property !== "string") return [];
      if (s.value === undefined) {
        ctx.warn(["slaProperties", i], "odcs-unmapped", `SLA property ${s.property} has no value; it was dropped`);
        return [];
      }
      const { column, ...rest } = s;
      const element = typeof column === "string" ? column : slaDefault;
      return [compact({ ...rest, value: s.value, element })];
    });
    const members = (Array.isArray(root.stakeholders) ? root.stakeholders : []).flatMap((m, i) => {
      if (!isObject(m) || typeof m.username !== "string") {
        ctx.warn(["stakeholders", i], "odcs-unmapped", "a stakeholder without username was dropped");
        return [];
      }
      return [m];
    });
    return compact({
      apiVersion: "v3.1.0",
      kind: "DataContract",
      id: id ?? "",
      name: typeof root.quantumName === "string" ? root.quantumName : undefined,
      version: root.version === undefined ? "0.0.0" : String(root.version),
      status,
      domain: typeof root.datasetDomain === "string" ? root.datasetDomain : undefined,
      tenant: typeof root.tenant === "string" ? root.tenant : undefined,
      tags: Array.isArray(root.tags) ? root.tags.map(String) : undefined,
      description,
      schema: this.tables(),
      servers: restored.servers,
      dataProduct: restored.dataProduct,
      authoritativeDefinitions: restored.authoritativeDefinitions,
      support: restored.support ?? this.support(),
      price: isObject(root.price) ? root.price : undefined,
      team: members.length > 0 ? { members } : undefined,
      roles: Array.isArray(root.roles) ? root.roles : undefined,
      slaProperties,
      customProperties: custom,
      contractCreatedTs: root.contractCreatedTs !== undefined ? String(root.contractCreatedTs) : undefined,
    });
  }

  private support(): JsonObject[] {
    const { root } = this;
    const out: JsonObject[] = [];
    if (typeof root.productDl === "string") {
      const url =
        root.productDl.includes("@") && !root.productDl.includes(":") ? `mailto:${root.productDl}` : root.productDl;
      out.push({ channel: root.productDl, tool: url.startsWith("mailto:") ? "email" : "other", url });
    }
    if (typeof root.productSlackChannel === "string") out.push({ channel: root.productSlackChannel, tool: "slack" });
    if (typeof root.productFeedbackUrl === "string") {
      out.push({ channel: "feedback", tool: "other", url: root.productFeedbackUrl, scope: "issues" });
    }
    return out;
  }

  private tables(): JsonObject[] {
    const { ctx, root } = this;
    const list = ctx.list(root.dataset, ["dataset"], "dataset") ?? [];
    return list.flatMap((t, i) => {
      const path = ["dataset", i];
      if (!isObject(t) || typeof t.table !== "string") {
        ctx.warn(path, "odcs-unmapped", "a dataset entry needs a table name; it was dropped");
        return [];
      }
      const custom: CustomProperty[] = [];
      for (const [key, value] of Object.entries(t)) {
        if (key === "priority") custom.push({ property: key, value });
        else if (!v2TableKeys.has(key)) {
          custom.push({ property: key, value });
          ctx.warn([...path, key], "odcs-unmapped", `${key} is not an ODCS v2.2 table key; kept as a custom property`);
        }
      }
      for (const p of Array.isArray(t.customProperties) ? t.customProperties : []) {
        if (isObject(p) && typeof p.property === "string") custom.push(p as unknown as CustomProperty);
      }
      const columns = Array.isArray(t.columns) ? t.columns : [];
      const quality = this.quality(t.quality, [...path, "quality"]);
      upgradeQuality(quality);
      const object = compact({
        name: t.table,
        physicalName: typeof t.physicalName === "string" ? t.physicalName : undefined,
        logicalType: "object",
        physicalType: "table",
        description: typeof t.description === "string" ? t.description : undefined,
        dataGranularityDescription: typeof t.dataGranularity === "string" ? t.dataGranularity : undefined,
        authoritativeDefinitions: Array.isArray(t.authoritativeDefinitions) ? t.authoritativeDefinitions : undefined,
        tags: Array.isArray(t.tags) ? t.tags.map(String) : undefined,
        properties: columns.flatMap((c, j) => this.column(c, [...path, "columns", j])),
        quality,
        customProperties: custom,
      });
      restoreKeys(ctx, object, path);
      return [object];
    });
  }

  private column(c: unknown, path: Path): JsonObject[] {
    const { ctx } = this;
    if (!isObject(c) || typeof c.column !== "string") {
      ctx.warn(path, "odcs-unmapped", "a column needs a name (column); it was dropped");
      return [];
    }
    const out: JsonObject = { name: c.column };
    const custom: CustomProperty[] = [];
    const rawType = typeof c.logicalType === "string" ? c.logicalType : undefined;
    if (rawType !== undefined) {
      const logicalType = logicalTypeOf({ physicalType: rawType });
      out.logicalType = logicalType;
      if (logicalType === "string" && !/^(string|varchar|char|text|nvarchar|uuid)/i.test(rawType)) {
        ctx.warn(
          [...path, "logicalType"],
          "odcs-v2-type",
          `${JSON.stringify(rawType)} is not an ODCS v3 logical type; read as string`,
        );
      }
      if (rawType !== logicalType && c.physicalType === undefined) out.physicalType = rawType;
    }
    for (const [key, value] of Object.entries(c)) {
      if (value === null || value === undefined) continue;
      const target = v2ColumnRenames[key];
      if (target) out[target] = target === "tags" && Array.isArray(value) ? value.map(String) : value;
      else if (key === "isPrimaryKey" || key === "isPrimary") {
        if (value === true) out.primaryKey = true;
      } else if (key === "primaryKeyPosition" || key === "partitionKeyPosition") {
        if (typeof value === "number" && value >= 1) out[key] = value;
      } else if (key === "isNullable") {
        if (value === false) out.required = true;
      } else if (v2ColumnKept.includes(key)) custom.push({ property: key, value });
      else if (!["column", "logicalType", "quality", "customProperties"].includes(key)) {
        custom.push({ property: key, value });
        ctx.warn([...path, key], "odcs-unmapped", `${key} is not an ODCS v2.2 column key; kept as a custom property`);
      }
    }
    if (out.primaryKey === true && out.primaryKeyPosition === undefined) out.primaryKeyPosition = 1;
    if (out.primaryKey !== true) delete out.primaryKeyPosition;
    if (out.partitioned !== true) delete out.partitionKeyPosition;
    if (Array.isArray(out.examples)) out.examples = out.examples.map((e) => (e instanceof Date ? e.toISOString() : e));
    for (const p of Array.isArray(c.customProperties) ? c.customProperties : []) {
      if (isObject(p) && typeof p.property === "string") custom.push(p as unknown as CustomProperty);
    }
    out.quality = this.quality(c.quality, [...path, "quality"]);
    out.customProperties = custom;
    // What Quanta's v2.2 export kept as custom properties (the v3 type, options, items) goes back.
    upgradeProperty(ctx, out, path);
    return [compact(out)];
  }

  /** A rule Quanta's v2.2 export wrote from a v3 rule (it keeps `metric` or `query` and the threshold). */
  private v3Rule(q: JsonObject): JsonObject | undefined {
    const metric = typeof q.metric === "string" && v3Metrics.has(q.metric) ? q.metric : undefined;
    const sql = q.type === "sql" && typeof q.query === "string";
    const custom = q.type === "custom" && typeof q.engine === "string" && q.implementation !== undefined;
    if (!metric && !sql && !custom) return undefined;
    const { code: _code, scheduleCronExpression, ...rest } = q;
    return compact({
      ...rest,
      type: metric ? "library" : q.type,
      scheduler: typeof scheduleCronExpression === "string" ? "cron" : undefined,
      schedule: typeof scheduleCronExpression === "string" ? scheduleCronExpression : undefined,
    });
  }

  /** v2 quality (`code`, `templateName`, `toolName`, …): executable only where the code says it all. */
  private quality(value: unknown, path: Path): JsonObject[] {
    const list = Array.isArray(value) ? value : [];
    return list.flatMap((q, i) => {
      if (!isObject(q)) return [];
      const v3 = this.v3Rule(q);
      if (v3) return [v3];
      const code = typeof q.code === "string" ? q.code : typeof q.templateName === "string" ? q.templateName : "";
      const metric = v2Metrics[code] ?? v2Metrics[code.charAt(0).toLowerCase() + code.slice(1)];
      const custom: CustomProperty[] = [];
      for (const key of ["code", "templateName", "toolName", "toolRuleName", "type", "columns", "column"]) {
        if (q[key] !== undefined) custom.push({ property: key, value: q[key] });
      }
      for (const p of Array.isArray(q.customProperties) ? q.customProperties : []) {
        if (isObject(p) && typeof p.property === "string") custom.push(p as unknown as CustomProperty);
      }
      const known = new Set([
        "code",
        "templateName",
        "toolName",
        "toolRuleName",
        "type",
        "columns",
        "column",
        "description",
        "dimension",
        "severity",
        "businessImpact",
        "scheduleCronExpression",
        "customProperties",
      ]);
      for (const key of Object.keys(q)) {
        if (!known.has(key)) {
          custom.push({ property: key, value: q[key] });
          this.ctx.info([...path, i, key], "odcs-custom-property", `kept as a custom property of the quality rule`);
        }
      }
      if (!metric) {
        this.ctx.warn(
          [...path, i],
          "odcs-v2-quality",
          `ODCS v2 quality code ${JSON.stringify(code)} has no threshold Quanta could run; kept as a text rule`,
        );
      }
      const dimension = typeof q.dimension === "string" ? q.dimension.toLowerCase() : undefined;
      const dimensions = [
        "accuracy",
        "completeness",
        "conformity",
        "consistency",
        "coverage",
        "timeliness",
        "uniqueness",
      ];
      if (q.dimension !== undefined && !dimensions.includes(String(dimension)))
        custom.push({ property: "dimension", value: q.dimension });
      return [
        compact({
          type: metric ? "library" : "text",
          description:
            typeof q.description === "string"
              ? q.description
              : metric
                ? undefined
                : `ODCS v2 check ${code || "(no code)"}`,
          dimension: dimension && dimensions.includes(dimension) ? dimension : undefined,
          ...(metric ?? {}),
          severity: typeof q.severity === "string" ? q.severity : undefined,
          businessImpact: typeof q.businessImpact === "string" ? q.businessImpact : undefined,
          scheduler: typeof q.scheduleCronExpression === "string" ? "cron" : undefined,
          schedule: typeof q.scheduleCronExpression === "string" ? q.scheduleCronExpression : undefined,
          customProperties: custom,
        }),
      ];
    });
  }
}
