import type { Path } from "../../issues.js";
import type { SchemaObject, SchemaProperty, Server } from "../../spec/odcs/model.js";
import {
  allowedValuesOf,
  foreignKeysOf,
  objectsOf,
  physicalNameOf,
  primaryKeyOf,
  propertiesOf,
  selectObjects,
} from "../contract-view.js";
import { ConvertContext, compact, type JsonObject } from "../convert-context.js";
import type { ExportFile, ExportInput, ExportResult } from "../format.js";
import { toIdentifier, uniqueIdentifiers } from "../names.js";
import { toYamlText } from "../yaml-output.js";
import { columnType, type DbtDialect, needsQuote, quoteIdentifier } from "./dialects.js";

/** Servers whose data are files: dbt-duckdb reads them through a source's `external_location`. */
const fileServers = new Set(["local", "s3", "gcs", "azure", "sftp"]);

/** ODCS SLA units → dbt freshness periods (dbt knows minute, hour and day). */
const periods: Readonly<Record<string, [string, number]>> = {
  m: ["minute", 1],
  min: ["minute", 1],
  minute: ["minute", 1],
  minutes: ["minute", 1],
  h: ["hour", 1],
  hour: ["hour", 1],
  hours: ["hour", 1],
  d: ["day", 1],
  day: ["day", 1],
  days: ["day", 1],
  w: ["day", 7],
  week: ["day", 7],
  weeks: ["day", 7],
};

interface Model {
  object: SchemaObject;
  index: number;
  /** The dbt model (and file) name: an identifier. */
  name: string;
}

/**
 * Writes a contract as dbt files: `models/schema.yml` (a model per schema object with its enforced
 * contract, typed columns, constraints and data tests), `models/sources.yml` (a source per server)
 * and per model a staging model selecting every column from its source plus the model itself.
 */
export function exportDbt(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const { contract } = input;
  const dialect = (input.options.dialect ?? "postgres") as DbtDialect;
  const all = objectsOf(contract);
  const chosen = selectObjects(contract, input.options.schema);
  if (chosen.length === 0) {
    ctx.error(
      ["schema"],
      "dbt-no-object",
      input.options.schema ? `no schema object named ${input.options.schema}` : "the contract has no schema",
    );
    return { files: [], issues: ctx.issues };
  }
  const names = uniqueIdentifiers(
    all.map((o) => o.name),
    { case: "snake" },
  );
  const modelOf = new Map<string, Model>(
    all.map((object, index) => [object.name, { object, index, name: names[index] ?? object.name }]),
  );
  const models = chosen.map((o) => modelOf.get(o.name) as Model);
  const findModel = (name: string) =>
    modelOf.get(name) ?? [...modelOf.values()].find((m) => m.object.physicalName === name);

  const servers = Array.isArray(contract.servers) ? contract.servers : [];
  const sourceNames = uniqueIdentifiers(
    servers.map((s, i) => s.server ?? `server_${i + 1}`),
    { case: "snake" },
  );
  if (servers.length === 0) {
    ctx.warn([], "dbt-no-server", "the contract has no server: sources.yml has one source without database or schema");
  }
  const defaultSource = sourceNames[0] ?? toIdentifier(contract.id ?? "source", { case: "snake" });
  const freshness = freshnessBySchema(ctx, contract.slaProperties, findModel);

  const schemaYml = {
    version: 2,
    models: models.map((m) => modelEntry(ctx, m, dialect, findModel)),
  };
  const sourcesYml = {
    version: 2,
    sources: (servers.length > 0 ? servers : [{} as Server]).map((server, i) =>
      compact({
        name: sourceNames[i] ?? defaultSource,
        description: server.description,
        ...serverLocation(server),
        tables: models.map((m) => sourceTable(m, freshness.get(m.object.name))),
      }),
    ),
  };
  const files: ExportFile[] = [
    { path: "models/schema.yml", content: toYamlText(schemaYml), mediaType: "application/yaml" },
    { path: "models/sources.yml", content: toYamlText(sourcesYml), mediaType: "application/yaml" },
  ];
  for (const m of models) {
    files.push({
      path: `models/staging/stg_${m.name}.sql`,
      content: stagingSql(m, defaultSource, dialect),
      mediaType: "application/sql",
    });
    files.push({
      path: `models/${m.name}.sql`,
      content: `select * from {{ ref(${jinjaString(`stg_${m.name}`)}) }}\n`,
      mediaType: "application/sql",
    });
  }
  return { files, issues: ctx.issues };
}

function modelEntry(
  ctx: ConvertContext,
  model: Model,
  dialect: DbtDialect,
  findModel: (name: string) => Model | undefined,
): JsonObject {
  const { object, index } = model;
  const path: Path = ["schema", index];
  const props = propertiesOf(object);
  const key = primaryKeyOf(object);
  const custom = Object.fromEntries((object.customProperties ?? []).map((c) => [c.property, c.value]));
  const materialized =
    typeof custom.dbtMaterialized === "string"
      ? custom.dbtMaterialized
      : object.physicalType === "view"
        ? "view"
        : "table";
  const physical = physicalNameOf(object);
  const fks = new Map<string, { to: Model; column: string }>();
  for (const fk of foreignKeysOf(object)) {
    const target = findModel(fk.toObject);
    const [from] = fk.from;
    const [toProperty] = fk.toProperties;
    if (!target || fk.from.length !== 1 || from === undefined || toProperty === undefined) {
      ctx.warn(
        [...path, "properties"],
        "dbt-unmapped",
        `foreign key ${fk.from.join(", ")} → ${fk.toObject} is not written: ${target ? "dbt relationships tests are single-column" : "its object is not in the contract"}`,
      );
      continue;
    }
    const toProp = propertiesOf(target.object).find((p) => p.name === toProperty);
    fks.set(from, { to: target, column: toProp ? physicalNameOf(toProp) : toProperty });
  }

  if (dialect === "duckdb" || dialect === "bigquery") {
    // Both compare column names without case, quoted or not: `order date` and `Order Date` are one column.
    const seen = new Map<string, string>();
    props.forEach((property, j) => {
      const name = physicalNameOf(property);
      const other = seen.get(name.toLowerCase());
      if (other !== undefined) {
        ctx.warn(
          [...path, "properties", j, "name"],
          "dbt-column-collision",
          `${JSON.stringify(name)} and ${JSON.stringify(other)} are the same column in ${dialect}, which ignores case in column names`,
        );
      } else seen.set(name.toLowerCase(), name);
    });
  }
  const columns = props.map((property, j) =>
    columnEntry(ctx, property, [...path, "properties", j], dialect, key, fks.get(property.name)),
  );
  const modelTests: JsonObject[] = [];
  const constraints: JsonObject[] = [];
  if (key.length > 1) {
    const columnsOfKey = key.map(physicalNameOf);
    constraints.push({ type: "primary_key", columns: columnsOfKey });
    modelTests.push({ "dbt_utils.unique_combination_of_columns": { combination_of_columns: columnsOfKey } });
  }
  for (const [q, rule] of (object.quality ?? []).entries()) {
    ctx.warn(
      [...path, "quality", q],
      "dbt-unmapped",
      `quality rule ${rule.name ?? rule.metric ?? rule.type ?? ""} is not written as a dbt test`,
    );
  }
  return compact({
    name: model.name,
    description: object.description,
    config: compact({
      materialized,
      alias: physical !== model.name ? physical : undefined,
      contract: { enforced: true },
      tags: object.tags,
    }),
    meta: object.name !== model.name ? { odcs_name: object.name } : undefined,
    constraints,
    data_tests: modelTests,
    columns,
  });
}

function columnEntry(
  ctx: ConvertContext,
  property: SchemaProperty,
  path: Path,
  dialect: DbtDialect,
  key: SchemaProperty[],
  fk: { to: Model; column: string } | undefined,
): JsonObject {
  const name = physicalNameOf(property);
  const single = key.length === 1 && key[0] === property;
  const inKey = key.includes(property);
  const required = property.required === true || inKey;
  const unique = property.unique === true || single;
  const constraints: JsonObject[] = [];
  const tests: unknown[] = [];
  if (required) constraints.push({ type: "not_null" });
  if (single) constraints.push({ type: "primary_key" });
  else if (property.unique) constraints.push({ type: "unique" });
  if (fk) constraints.push({ type: "foreign_key", to: `ref(${jinjaString(fk.to.name)})`, to_columns: [fk.column] });
  if (required) tests.push("not_null");
  if (unique) tests.push("unique");
  const values = allowedValuesOf(property);
  if (values) {
    const literal = values.every((v) => typeof v === "number" || typeof v === "boolean");
    tests.push({ accepted_values: compact({ values, quote: literal ? false : undefined }) });
  }
  if (fk) tests.push({ relationships: { to: `ref(${jinjaString(fk.to.name)})`, field: fk.column } });
  unwritten(ctx, property, path, dialect);
  const meta = compact({
    ...(property.classification ? { classification: property.classification } : {}),
    ...(name !== property.name ? { odcs_name: property.name } : {}),
  });
  return compact({
    name,
    description: property.description,
    data_type: columnType(property, dialect),
    quote: needsQuote(name) ? true : undefined,
    constraints,
    data_tests: tests,
    meta,
    tags: property.tags,
  });
}

/** What a column's dbt entry cannot carry: ranges, patterns, rules other than a value set, nesting. */
function unwritten(ctx: ConvertContext, property: SchemaProperty, path: Path, dialect: DbtDialect): void {
  for (const [k, v] of Object.entries(property.logicalTypeOptions ?? {})) {
    if (k === "maxLength" && columnType(property, dialect).endsWith(`(${String(v)})`)) continue;
    ctx.warn(
      [...path, "logicalTypeOptions", k],
      "dbt-unmapped",
      `${k}: ${JSON.stringify(v)} of ${property.name} is not written: dbt's own tests have no such check`,
    );
  }
  for (const [q, rule] of (property.quality ?? []).entries()) {
    const args = (rule as { arguments?: Record<string, unknown> }).arguments;
    if (rule.metric === "invalidValues" && Array.isArray(args?.validValues)) continue;
    ctx.warn(
      [...path, "quality", q],
      "dbt-unmapped",
      `quality rule ${rule.name ?? rule.metric ?? rule.type ?? ""} of ${property.name} is not written as a dbt test`,
    );
  }
  const nested = propertiesOf(property).length > 0 || propertiesOf(property.items).length > 0;
  if (nested) {
    ctx.warn(
      [...path, propertiesOf(property).length > 0 ? "properties" : "items"],
      "dbt-nested",
      `dbt columns are flat: ${property.name} is one column of type ${columnType(property, dialect)} and its inner properties are not written`,
    );
  }
}

function serverLocation(server: Server): JsonObject {
  const type = server.type ?? "";
  if (type === "bigquery") return compact({ database: server.project, schema: server.dataset });
  if (type === "duckdb") return compact({ schema: server.schema ?? "main" });
  if (fileServers.has(type)) {
    const location = server.path ?? server.location;
    return compact({ meta: location ? { external_location: location } : undefined });
  }
  return compact({ database: server.database ?? server.catalog, schema: server.schema });
}

function sourceTable(model: Model, freshness: JsonObject | undefined): JsonObject {
  const physical = physicalNameOf(model.object);
  return compact({
    name: model.name,
    identifier: physical !== model.name ? physical : undefined,
    description: model.object.description,
    quoting: needsQuote(physical) ? { identifier: true } : undefined,
    ...(freshness ?? {}),
  });
}

/** Freshness SLAs (`element: object.column`) → a source table's `loaded_at_field` and `freshness`. */
function freshnessBySchema(
  ctx: ConvertContext,
  sla: readonly { property?: string; value?: unknown; unit?: string; element?: string }[] | undefined,
  findModel: (name: string) => Model | undefined,
): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  (sla ?? []).forEach((entry, i) => {
    const path: Path = ["slaProperties", i];
    const element = entry.element ?? "";
    const dot = element.lastIndexOf(".");
    const model = dot > 0 ? findModel(element.slice(0, dot)) : undefined;
    const period = periods[(entry.unit ?? "d").toLowerCase()];
    if (entry.property !== "freshness" || !model || !period || typeof entry.value !== "number") {
      ctx.warn(
        path,
        "dbt-unmapped",
        `SLA ${entry.property ?? ""} is not written: dbt states only source freshness in minutes, hours or days`,
      );
      return;
    }
    const column = propertiesOf(model.object).find((p) => p.name === element.slice(dot + 1));
    out.set(model.object.name, {
      loaded_at_field: column ? physicalNameOf(column) : element.slice(dot + 1),
      freshness: { error_after: { count: entry.value * period[1], period: period[0] } },
    });
  });
  return out;
}

function stagingSql(model: Model, source: string, dialect: DbtDialect): string {
  const columns = propertiesOf(model.object).map(
    (p) => `    ${jinjaSafe(quoteIdentifier(physicalNameOf(p), dialect))}`,
  );
  return `select\n${columns.join(",\n")}\nfrom {{ source(${jinjaString(source)}, ${jinjaString(model.name)}) }}\n`;
}

/** A Jinja string literal: single-quoted with `\` and `'` escaped. */
export function jinjaString(text: string): string {
  return `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
}

/** SQL text Jinja would read as its own syntax (`{{`, `{%`, `{#`) is emitted through an expression. */
export function jinjaSafe(sql: string): string {
  return /[{}]|#/.test(sql) ? `{{ ${jinjaString(sql)} }}` : sql;
}
