import type { Path } from "../../issues.js";
import type { SchemaItemProperty, SchemaObject, SchemaProperty } from "../../spec/odcs/model.js";
import {
  allowedValuesOf,
  decimalOf,
  foreignKeysOf,
  logicalTypeOf,
  physicalNameOf,
  primaryKeyOf,
  propertiesOf,
} from "../contract-view.js";
import { ConvertContext } from "../convert-context.js";
import { type ExportInput, type ExportResult, formatLimits } from "../format.js";
import { dialects, distinctNames, type SqlDialect, type SqlDialectName } from "./dialects.js";
import { lexSql } from "./lexer.js";
import { scalarTypes } from "./types.js";

/** The shape the sql import gives a CHECK it cannot map otherwise; written back as that CHECK. */
const checkRule = /^\s*SELECT\s+COUNT\(\*\)\s+FROM\s+\{object\}\s+WHERE\s+NOT\s+\(([\s\S]*)\)\s*$/i;

/** A condition safe inside `CHECK (...)`: balanced brackets, one statement, no subquery. */
function checkCondition(query: unknown): string | undefined {
  const m = typeof query === "string" ? checkRule.exec(query) : null;
  const condition = m?.[1];
  if (condition === undefined) return undefined;
  const { tokens, error } = lexSql(condition);
  if (error) return undefined;
  let depth = 0;
  for (const t of tokens) {
    if (t.kind === "punct" && t.text === "(") depth++;
    if (t.kind === "punct" && t.text === ")" && --depth < 0) return undefined;
    if ((t.kind === "punct" && t.text === ";") || (t.kind === "word" && t.lower === "select")) return undefined;
  }
  return depth === 0 ? condition : undefined;
}

/** A physical type Quanta can pass through unchanged: a type name, optional (p[, s]), no punctuation else. */
const plainType = /^[A-Za-z][A-Za-z0-9_]*(?: [A-Za-z][A-Za-z0-9_]*)*(?:\(\s*\d+\s*(?:,\s*\d+\s*)?\))?(?: [A-Za-z]+)*$/;
/**
 * A physical type safe to write as it is: a plain name with `(p, s)`, or a composite such as
 * `MAP(VARCHAR, INTEGER)` or `INTEGER[]` made only of names, numbers, quoted names and balanced
 * brackets, so that nothing in it can end the column or the statement.
 */
function safeType(physical: string): boolean {
  if (plainType.test(physical)) return true;
  const { tokens, error } = lexSql(physical);
  if (error || tokens.length === 0 || tokens[0]?.kind !== "word") return false;
  const stack: string[] = [];
  const pairs: Record<string, string> = { "(": ")", "[": "]", "<": ">" };
  for (const t of tokens) {
    if (t.kind === "string") return false;
    if (t.kind !== "punct") continue;
    if (pairs[t.text]) stack.push(pairs[t.text] as string);
    else if (t.text === ")" || t.text === "]" || t.text === ">") {
      if (stack.pop() !== t.text) return false;
    } else if (t.text !== ",") return false;
  }
  return stack.length === 0;
}

/** Regular expressions written the same in PostgreSQL, DuckDB (RE2) and MySQL: no look-around, no flags. */
const portableRegex = /^(?:[^\\(]|\\[dDwWsS.^$|()[\]{}*+?\\/-]|\((?!\?))*$/;

interface Target {
  readonly object: SchemaObject;
  readonly index: number;
  /** The table's name in the dialect, and its columns'. */
  readonly table: string;
  readonly columns: ReadonlyMap<SchemaProperty, string>;
}

/** Tables and columns by the names the dialect can hold (see distinctNames), renames warned. */
export function sqlTargets(objects: readonly SchemaObject[], d: SqlDialect, ctx?: ConvertContext): Target[] {
  const present = objects.map((object, index) => ({ object, index })).filter((t) => typeof t.object?.name === "string");
  const tables = distinctNames(
    present.map((t) => physicalNameOf(t.object)),
    d,
  );
  return present.map(({ object, index }, k) => {
    const table = tables[k] as string;
    if (table !== physicalNameOf(object)) {
      ctx?.warn(
        ["schema", index, "name"],
        "sql-name-renamed",
        `${d.title} names ignore case, so table ${physicalNameOf(object)} is written as ${table}`,
      );
    }
    const props = (object.properties ?? []).map((p, j) => ({ p, j })).filter(({ p }) => typeof p?.name === "string");
    const names = distinctNames(
      props.map(({ p }) => physicalNameOf(p)),
      d,
    );
    const columns = new Map<SchemaProperty, string>();
    props.forEach(({ p, j }, k) => {
      const name = names[k] as string;
      columns.set(p, name);
      if (name !== physicalNameOf(p)) {
        ctx?.warn(
          ["schema", index, "properties", j, "name"],
          "sql-name-renamed",
          `${d.title} names ignore case, so column ${physicalNameOf(p)} of ${table} is written as ${name}`,
        );
      }
    });
    return { object, index, table, columns };
  });
}

/** CREATE TABLE statements for every schema object of a contract, in one dialect. */
export function exportSql(input: ExportInput, dialectName: SqlDialectName): ExportResult {
  const d = dialects[dialectName];
  const ctx = new ConvertContext(input.source);
  const all = Array.isArray(input.contract.schema) ? input.contract.schema : [];
  const targets = sqlTargets(all, d, ctx);
  const ordered = orderByReferences(targets, ctx);
  const statements: string[] = [];
  for (const target of ordered.list) {
    statements.push(...createTable(target, d, ctx, targets, ordered.deferred));
  }
  const header = `-- ${oneLine(input.contract.name ?? input.contract.id ?? "contract")} ${oneLine(input.contract.version ?? "")}: ${d.title} DDL written by quanta export`;
  const content = `${header}\n\n${statements.join("\n\n")}\n`;
  const base = (input.contract.id ?? "contract").replace(/[^\w.-]+/g, "_");
  return { files: [{ path: `${base}.${dialectName}.sql`, content, mediaType: "application/sql" }], issues: ctx.issues };
}

const oneLine = (s: string) => s.replace(/[\r\n]+/g, " ");

/** Tables ordered so that every referenced table comes before the tables referencing it. */
function orderByReferences(targets: readonly Target[], ctx: ConvertContext): { list: Target[]; deferred: Set<string> } {
  const byName = new Map(targets.map((t) => [t.object.name, t]));
  const done = new Set<Target>();
  const visiting = new Set<Target>();
  const list: Target[] = [];
  /** Foreign keys (object index:fk index) that point forward in a cycle and are left out. */
  const deferred = new Set<string>();
  const visit = (t: Target) => {
    if (done.has(t)) return;
    visiting.add(t);
    foreignKeysOf(t.object).forEach((fk, k) => {
      const target = byName.get(fk.toObject);
      if (!target || target === t || done.has(target)) return;
      if (visiting.has(target)) {
        deferred.add(`${t.index}:${k}`);
        ctx.warn(
          ["schema", t.index, "name"],
          "sql-foreign-key-cycle",
          `the foreign key of ${t.object.name} to ${fk.toObject} closes a cycle of references; it is left out so the tables can be created`,
        );
        return;
      }
      visit(target);
    });
    visiting.delete(t);
    done.add(t);
    list.push(t);
  };
  for (const t of targets) visit(t);
  return { list, deferred };
}

interface ColumnOut {
  readonly line: string;
  readonly comment?: { column: string; text: string };
}

function createTable(
  target: Target,
  d: SqlDialect,
  ctx: ConvertContext,
  targets: readonly Target[],
  deferred: ReadonlySet<string>,
): string[] {
  const { object, index } = target;
  const objectPath: Path = ["schema", index];
  const table = d.quote(target.table);
  const pk = primaryKeyOf(object);
  const properties = object.properties ?? [];
  const columns: ColumnOut[] = [];
  const checks: string[] = [];
  properties.forEach((p, j) => {
    if (typeof p?.name !== "string") return;
    const path: Path = [...objectPath, "properties", j];
    const key = pk.includes(p) || p.unique === true;
    const column = d.quote(target.columns.get(p) ?? physicalNameOf(p));
    const type = columnType(p, d, ctx, path, key, 0);
    let line = `  ${column} ${type.sql}`;
    const notNull = p.required === true || p.primaryKey === true;
    if (notNull && d.arraysNullable && type.array) {
      ctx.warn(
        [...path, "required"],
        "sql-not-expressible",
        `${d.title} cannot declare an array column NOT NULL; left nullable`,
      );
    } else if (notNull) line += " NOT NULL";
    if (p.unique === true && !(pk.length === 1 && pk[0] === p)) {
      if (d.unique) line += " UNIQUE";
      else ctx.warn([...path, "unique"], "sql-not-expressible", `${d.title} has no UNIQUE constraint; not declared`);
    }
    const condition = checkOf(p, column, d, type.sql);
    if (condition) {
      if (d.checks) line += ` CHECK (${condition})`;
      else checks.push(p.name);
    }
    const description = typeof p.description === "string" ? p.description : undefined;
    if (description !== undefined && d.comments === "options")
      line += ` OPTIONS(description = ${d.string(description)})`;
    if (description !== undefined && d.comments === "inline") line += ` COMMENT ${d.string(description)}`;
    columns.push({
      line,
      ...(description !== undefined
        ? { comment: { column: target.columns.get(p) ?? physicalNameOf(p), text: description } }
        : {}),
    });
  });
  if (checks.length > 0) {
    ctx.warn(
      [...objectPath, "name"],
      "sql-not-expressible",
      `${d.title} has no CHECK constraints; the value sets and ranges of ${checks.join(", ")} are left to quanta test`,
    );
  }
  const constraints: string[] = [];
  const notEnforced = d.keysNotEnforced ? " NOT ENFORCED" : "";
  const byName = (name: unknown) => propertiesOf(object).find((p) => p.name === name);
  (object.quality ?? []).forEach((rule, k) => {
    const args = (rule as { arguments?: { properties?: unknown } }).arguments;
    if (rule.metric === "duplicateValues" && Array.isArray(args?.properties) && rule.mustBe === 0) {
      const props = args.properties.map(byName);
      if (props.length > 1 && props.every((p) => p !== undefined) && d.unique) {
        constraints.push(
          `  UNIQUE (${props.map((p) => d.quote(target.columns.get(p as SchemaProperty) ?? "")).join(", ")})`,
        );
      }
    }
    const condition = rule.type === "sql" && rule.mustBe === 0 ? checkCondition(rule.query) : undefined;
    if (condition !== undefined && d.checks) constraints.push(`  CHECK (${condition})`);
    else if (condition !== undefined) {
      ctx.warn(
        [...objectPath, "quality", k],
        "sql-not-expressible",
        `${d.title} has no CHECK constraints; this rule is left to quanta test`,
      );
    }
  });
  const nameIn = (t: Target, p: SchemaProperty) => d.quote(t.columns.get(p) ?? physicalNameOf(p));
  if (pk.length > 0) constraints.push(`  PRIMARY KEY (${pk.map((p) => nameIn(target, p)).join(", ")})${notEnforced}`);
  foreignKeysOf(object).forEach((fk, k) => {
    if (deferred.has(`${index}:${k}`)) return;
    const to = targets.find((t) => t.object.name === fk.toObject);
    const fromProps = fk.from.map((name) => propertiesOf(object).find((p) => p.name === name));
    const toProps = fk.toProperties.map((name) => propertiesOf(to?.object).find((p) => p.name === name));
    const where: Path = [...objectPath, "name"];
    if (!to || toProps.some((p) => p === undefined) || fromProps.some((p) => p === undefined)) {
      ctx.warn(
        where,
        "sql-foreign-key-external",
        `the foreign key to ${fk.toObject}.${fk.toProperties.join(", ")} names no table and column of this contract; not declared`,
      );
      return;
    }
    const targetKey = primaryKeyOf(to.object);
    const isKey =
      (targetKey.length === toProps.length && toProps.every((p) => targetKey.includes(p as SchemaProperty))) ||
      (toProps.length === 1 && toProps[0]?.unique === true);
    if (!isKey) {
      ctx.warn(
        where,
        "sql-foreign-key-not-key",
        `the foreign key to ${fk.toObject}.${fk.toProperties.join(", ")} does not reference its primary key or a unique column, which SQL requires; not declared`,
      );
      return;
    }
    const cols = (t: Target, ps: (SchemaProperty | undefined)[]) =>
      ps.map((p) => nameIn(t, p as SchemaProperty)).join(", ");
    constraints.push(
      `  FOREIGN KEY (${cols(target, fromProps)}) REFERENCES ${d.quote(to.table)} (${cols(to, toProps)})${notEnforced}`,
    );
  });
  const description = typeof object.description === "string" ? object.description : undefined;
  let tail = ")";
  if (description !== undefined && d.comments === "options") tail += ` OPTIONS(description = ${d.string(description)})`;
  if (description !== undefined && d.comments === "inline") tail += ` COMMENT = ${d.string(description)}`;
  const body = [...columns.map((c) => c.line), ...constraints].join(",\n");
  const out = [`CREATE TABLE ${table} (\n${body}\n${tail};`];
  const comments: string[] = [];
  if (d.comments === "comment-on") {
    if (description !== undefined) comments.push(`COMMENT ON TABLE ${table} IS ${d.string(description)};`);
    for (const c of columns) {
      if (c.comment)
        comments.push(`COMMENT ON COLUMN ${table}.${d.quote(c.comment.column)} IS ${d.string(c.comment.text)};`);
    }
  } else if (d.comments === "extended-property") {
    const property = (text: string, column?: string) =>
      `EXEC sp_addextendedproperty @name = N'MS_Description', @value = ${d.string(text)}, @level0type = N'SCHEMA', @level0name = N'dbo', @level1type = N'TABLE', @level1name = ${d.string(target.table)}${column === undefined ? "" : `, @level2type = N'COLUMN', @level2name = ${d.string(column)}`};`;
    if (description !== undefined) comments.push(property(description));
    for (const c of columns) if (c.comment) comments.push(property(c.comment.text, c.comment.column));
  }
  if (comments.length > 0) out.push(comments.join("\n"));
  return out;
}

interface TypeOut {
  readonly sql: string;
  readonly array?: boolean;
  readonly nested?: boolean;
}

/** The column type of a property: its physicalType when the dialect has it, else mapped from its logical type. */
function columnType(
  p: SchemaProperty | SchemaItemProperty,
  d: SqlDialect,
  ctx: ConvertContext,
  path: Path,
  key: boolean,
  depth: number,
): TypeOut {
  const logical = logicalTypeOf(p);
  const physical = typeof p.physicalType === "string" ? p.physicalType.trim() : undefined;
  const hasChildren = (p.properties?.length ?? 0) > 0 || p.items !== undefined;
  if (physical && !hasChildren && safeType(physical)) {
    const base = (physical.split(/[\s(<[]/)[0] ?? "").toLowerCase();
    if (d.types.has(base) && (scalarTypes[base] === logical || p.logicalType === undefined)) return { sql: physical };
  }
  if (physical && !hasChildren && physical.toLowerCase() !== "table") {
    const reason = safeType(physical) ? `is not a ${d.title} type for a ${logical}` : "is not a plain type name";
    ctx.info(
      [...path, "physicalType"],
      "sql-physical-type-replaced",
      `physicalType ${JSON.stringify(physical)} ${reason}; written as the ${logical} type of ${d.title}`,
    );
  }
  const options = (p.logicalTypeOptions ?? {}) as Record<string, unknown>;
  switch (logical) {
    case "string": {
      const max = typeof options.maxLength === "number" ? options.maxLength : undefined;
      return { sql: d.string_(max, key) };
    }
    case "integer":
      return { sql: d.integer };
    case "number": {
      const dec = decimalOf(physical);
      return { sql: dec ? d.decimal(dec.precision, dec.scale) : d.double };
    }
    case "boolean":
      return { sql: d.boolean_ };
    case "date":
      return { sql: "DATE" };
    case "timestamp":
      return { sql: d.timestamp(options.timezone === true) };
    case "time":
      return { sql: d.time };
    case "object": {
      const props = (p.properties ?? []).filter((f) => typeof f?.name === "string");
      if (depth >= formatLimits.maxDepth || props.length === 0 || !d.struct) {
        warnNested(
          p,
          d,
          ctx,
          path,
          typeof (p as { name?: unknown }).name === "string" ? String(p.name) : "the array items",
        );
        return { sql: d.json, nested: true };
      }
      const fieldNames = distinctNames(
        props.map((f) => physicalNameOf(f)),
        d,
      );
      const fields = props.map((f, k) => {
        const fieldPath: Path = [...path, "properties", (p.properties ?? []).indexOf(f)];
        const required = f.required === true;
        if (required && !d.structNotNull) {
          ctx.warn(
            [...fieldPath, "required"],
            "sql-not-expressible",
            `${d.title} STRUCT fields cannot be NOT NULL; ${f.name} is left nullable`,
          );
        }
        if (typeof f.description === "string" && d.comments !== "options") {
          ctx.warn(
            [...fieldPath, "description"],
            "sql-not-expressible",
            `${d.title} has no comments on STRUCT fields; the description of ${f.name} is not written`,
          );
        }
        if (fieldNames[k] !== physicalNameOf(f)) {
          ctx.warn(
            [...fieldPath, "name"],
            "sql-name-renamed",
            `${d.title} names ignore case, so field ${physicalNameOf(f)} is written as ${fieldNames[k]}`,
          );
        }
        return {
          name: fieldNames[k] as string,
          type: columnType(f, d, ctx, fieldPath, false, depth + 1).sql,
          required,
          ...(typeof f.description === "string" ? { description: f.description } : {}),
        };
      });
      return { sql: d.struct(fields), nested: true };
    }
    case "array": {
      const items = p.items;
      if (!items || depth >= formatLimits.maxDepth)
        return { sql: d.arrayFallback ?? d.json, array: true, nested: true };
      const item = columnType(items, d, ctx, [...path, "items"], false, depth + 1);
      const sql = d.array?.(item.sql, item.nested === true);
      if (sql === undefined) {
        // An object item has said what its JSON loses already.
        if (!d.arrayFallback && logicalTypeOf(items) !== "object") warnNested(items, d, ctx, [...path, "items"]);
        return { sql: d.arrayFallback ?? d.json, array: true, nested: true };
      }
      return { sql, array: true, nested: true };
    }
  }
}

/** Nested fields kept as JSON lose their NOT NULL and descriptions: say so once per field. */
function warnNested(
  p: SchemaProperty | SchemaItemProperty,
  d: SqlDialect,
  ctx: ConvertContext,
  path: Path,
  label = p.name ?? "the array items",
): void {
  (p.properties ?? []).forEach((f, k) => {
    if (f?.required === true) {
      ctx.warn(
        [...path, "properties", k, "required"],
        "sql-not-expressible",
        `${d.title} stores ${label} as ${d.json}, which cannot make ${f.name} NOT NULL`,
      );
    }
  });
}

/** A CHECK condition for a column's value set, bounds, lengths and pattern, or undefined. */
function checkOf(p: SchemaProperty, column: string, d: SqlDialect, type: string): string | undefined {
  const logical = logicalTypeOf(p);
  const options = (p.logicalTypeOptions ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  const lit = (v: unknown): string | undefined =>
    typeof v === "number" && Number.isFinite(v)
      ? String(v)
      : typeof v === "string"
        ? d.string(v)
        : typeof v === "boolean"
          ? d.boolean(v)
          : undefined;
  const values = allowedValuesOf(p);
  if (values && values.length > 0 && ["string", "integer", "number"].includes(logical)) {
    const list = values.map(lit);
    if (list.every((v) => v !== undefined)) parts.push(`${column} IN (${list.join(", ")})`);
  }
  const bounds: [string, string][] = [
    ["minimum", ">="],
    ["exclusiveMinimum", ">"],
    ["maximum", "<="],
    ["exclusiveMaximum", "<"],
  ];
  const comparable =
    logical === "integer" || logical === "number"
      ? (v: unknown) => typeof v === "number"
      : logical === "date" || logical === "timestamp"
        ? (v: unknown) => typeof v === "string"
        : () => false;
  for (const [key, op] of bounds) {
    if (comparable(options[key])) parts.push(`${column} ${op} ${lit(options[key])}`);
  }
  if (logical === "string") {
    const declared = /\(\s*(\d+)\s*\)/.exec(type)?.[1];
    // Without CHECKs in the dialect this only tells the caller what is lost.
    const length = d.checks?.length ?? "LENGTH";
    if (typeof options.minLength === "number") parts.push(`${length}(${column}) >= ${options.minLength}`);
    if (typeof options.maxLength === "number" && String(options.maxLength) !== declared) {
      parts.push(`${length}(${column}) <= ${options.maxLength}`);
    }
    if (typeof options.pattern === "string" && d.checks?.regex && portableRegex.test(options.pattern)) {
      parts.push(d.checks.regex(column, d.string(options.pattern)));
    }
  }
  return parts.length > 0 ? parts.join(" AND ") : undefined;
}
