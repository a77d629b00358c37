import type { Path } from "../../issues.js";
import type { LogicalType, SchemaProperty } from "../../spec/odcs/model.js";
import {
  allowedValuesOf,
  foreignKeysOf,
  logicalTypeOf,
  objectsOf,
  primaryKeyOf,
  propertiesOf,
} from "../contract-view.js";
import { ConvertContext } from "../convert-context.js";
import type { ExportInput, ExportResult } from "../format.js";

/** DBML column types for logical types without a physical type. */
const typeFor: Record<LogicalType, string> = {
  string: "varchar",
  integer: "integer",
  number: "decimal",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamp",
  time: "time",
  object: "json",
  array: "json",
};

/** DBML's element keywords: never written bare, so no name is ever read as one. */
const keywords = new Set([
  "project",
  "table",
  "enum",
  "ref",
  "note",
  "indexes",
  "tablegroup",
  "records",
  "checks",
  "as",
]);

/** A DBML identifier: bare when it is a plain word, else double-quoted with `\` escapes. */
export function dbmlName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !keywords.has(name.toLowerCase())
    ? name
    : `"${name.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** A DBML string: single-quoted, with `\`, `'` and line breaks escaped. */
export function dbmlString(text: string): string {
  return `'${text
    .replace(/\\/g, "\\\\")
    .replace(/'/g, "\\'")
    .replace(/\r/g, "\\r")
    .replace(/\n/g, "\\n")
    .replace(/\t/g, "\\t")}'`;
}

/** A table name; a physical name `schema.table` is written schema-qualified. */
function dbmlTable(physical: string): string {
  const dot = physical.indexOf(".");
  return dot > 0 && dot < physical.length - 1 && physical.indexOf(".", dot + 1) === -1
    ? `${dbmlName(physical.slice(0, dot))}.${dbmlName(physical.slice(dot + 1))}`
    : dbmlName(physical);
}

/** A column type: a plain `name`, `name(1,2)` or `name[]` stays bare, anything else is quoted. */
function dbmlType(type: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*(\s*\(\s*\d+(\s*,\s*\d+)*\s*\))?(\[\])?$/.test(type) ? type : dbmlName(type);
}

/**
 * Writes a contract as DBML: one `Table` per schema object (its physical name), a composite
 * primary key as `Indexes { (a, b) [pk] }`, string value sets as `Enum`s and foreign keys as
 * top-level `Ref`s. DBML has no nesting: object and array columns are written as `json`
 * (arrays of scalars as `type[]`) and their inner properties are reported.
 */
export function exportDbml(input: ExportInput): ExportResult {
  const ctx = new ConvertContext(input.source);
  const contract = input.contract;
  const all = objectsOf(contract);
  const chosen = input.options.schema;
  const objects = all.filter((o) => chosen === undefined || o.name === chosen || o.physicalName === chosen);
  if (objects.length === 0) {
    ctx.error(["schema"], "dbml-no-object", chosen ? `no schema object named ${chosen}` : "the contract has no schema");
    return { files: [], issues: ctx.issues };
  }
  const tableName = new Map(all.map((o) => [o.name, o.physicalName ?? o.name]));
  const enums: string[] = [];
  const tables: string[] = [];
  const refs: string[] = [];
  const enumNames = new Set<string>();

  const purpose = contract.description?.purpose;
  const head = [`Project ${dbmlName(contract.id ?? contract.name ?? "contract")} {`];
  if (purpose) head.push(`  Note: ${dbmlString(purpose)}`);
  head.push("}");

  for (const object of objects) {
    const index = all.indexOf(object);
    const path: Path = ["schema", index];
    const table = tableName.get(object.name) ?? object.name;
    const key = primaryKeyOf(object);
    const lines: string[] = [];
    const props = propertiesOf(object);
    props.forEach((property, j) => {
      const ppath: Path = [...path, "properties", j];
      const settings: string[] = [];
      if (key.length === 1 && key[0] === property) settings.push("pk");
      if (property.required) settings.push("not null");
      if (property.unique) settings.push("unique");
      if (property.description) settings.push(`note: ${dbmlString(property.description)}`);
      const type = columnType(ctx, property, ppath, enums, enumNames, table);
      unwritten(ctx, property, ppath, type);
      lines.push(
        `  ${dbmlName(property.physicalName ?? property.name)} ${type}${settings.length ? ` [${settings.join(", ")}]` : ""}`,
      );
    });
    if (key.length > 1) {
      lines.push(
        "",
        "  Indexes {",
        `    (${key.map((p) => dbmlName(p.physicalName ?? p.name)).join(", ")}) [pk]`,
        "  }",
      );
    }
    if (object.description) lines.push("", `  Note: ${dbmlString(object.description)}`);
    tables.push([`Table ${dbmlTable(table)} {`, ...lines, "}"].join("\n"));

    const physical = new Map(props.map((p) => [p.name, p.physicalName ?? p.name]));
    for (const fk of foreignKeysOf(object)) {
      const target = all.find((o) => o.name === fk.toObject || o.physicalName === fk.toObject);
      if (!target) {
        ctx.warn(path, "dbml-unmapped", `foreign key to ${fk.toObject}, which is not in the contract, is not written`);
        continue;
      }
      const targetPhysical = new Map(propertiesOf(target).map((p) => [p.name, p.physicalName ?? p.name]));
      const cols = (names: string[], map: Map<string, string>) => {
        const spelled = names.map((n) => dbmlName(map.get(n) ?? n));
        return spelled.length === 1 ? (spelled[0] ?? "") : `(${spelled.join(", ")})`;
      };
      refs.push(
        `Ref: ${dbmlTable(table)}.${cols(fk.from, physical)} > ${dbmlTable(tableName.get(target.name) ?? target.name)}.${cols(fk.toProperties, targetPhysical)}`,
      );
    }
    if (object.quality?.length) {
      ctx.warn([...path, "quality"], "dbml-unmapped", "quality rules are not written: DBML has no checks");
    }
  }
  const text = `${[head.join("\n"), ...enums, ...tables, ...refs].join("\n\n")}\n`;
  return { files: [{ path: "contract.dbml", content: text, mediaType: "text/vnd.dbml" }], issues: ctx.issues };
}

function columnType(
  ctx: ConvertContext,
  property: SchemaProperty,
  path: Path,
  enums: string[],
  enumNames: Set<string>,
  table: string,
): string {
  const logical = logicalTypeOf(property);
  const values = allowedValuesOf(property);
  if (values && logical === "string" && values.every((v) => typeof v === "string")) {
    let name = `${table}_${property.physicalName ?? property.name}`;
    for (let n = 2; enumNames.has(name); n++) name = `${table}_${property.name}_${n}`;
    enumNames.add(name);
    enums.push([`Enum ${dbmlName(name)} {`, ...(values as string[]).map((v) => `  ${dbmlName(v)}`), "}"].join("\n"));
    return dbmlName(name);
  }
  if (values)
    ctx.warn([...path, "quality"], "dbml-unmapped", "a value set of non-strings is not written: DBML enums hold names");
  if (propertiesOf(property).length > 0) {
    ctx.warn(
      [...path, "properties"],
      "dbml-nested",
      `DBML has no nested columns: ${property.name} is written as ${property.physicalType ?? "json"} without its properties`,
    );
  }
  if (logical === "array" && !property.physicalType) {
    const items = property.items;
    const itemLogical = items ? logicalTypeOf(items) : "string";
    if (items && itemLogical !== "array") {
      if (propertiesOf(items).length > 0) {
        ctx.warn(
          [...path, "items", "properties"],
          "dbml-nested",
          `DBML has no nested columns: the items of ${property.name} are written as json without their properties`,
        );
      }
      return dbmlType(`${items.physicalType ?? typeFor[itemLogical]}[]`);
    }
    ctx.warn([...path, "items"], "dbml-nested", `DBML has no nested columns: ${property.name} is written as json`);
  }
  return dbmlType(property.physicalType ?? typeFor[logical]);
}

/** Reports what a column cannot carry in DBML: ranges, patterns, quality rules other than a value set. */
function unwritten(ctx: ConvertContext, property: SchemaProperty, path: Path, type: string): void {
  const options = Object.entries(property.logicalTypeOptions ?? {}).filter(
    ([k, v]) => !(k === "maxLength" && new RegExp(`\\(\\s*${v}\\s*\\)$`).test(type)),
  );
  if (options.length > 0) {
    ctx.warn(
      [...path, "logicalTypeOptions"],
      "dbml-unmapped",
      `${options.map(([k]) => k).join(", ")} not written: DBML columns have no such constraints`,
    );
  }
  const rules = (property.quality ?? []).filter(
    (q) => q.metric !== "invalidValues" || allowedValuesOf({ quality: [q] }) === undefined,
  );
  if (rules.length > 0)
    ctx.warn([...path, "quality"], "dbml-unmapped", "quality rules are not written: DBML has no checks");
}
