import { open, stat } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";
import {
  type Connection,
  type DataInspectionRequest,
  EngineError,
  InputError,
  type InspectedData,
  type InspectedDataset,
  NotFoundError,
  type Row,
  UnavailableError,
} from "@quanta/core";
import { installedEngines } from "../engines/installed-engines.js";
import { list, text } from "./catalog-values.js";
import { scanColumns } from "./scan-columns.js";

type Env = Readonly<Record<string, string | undefined>>;

const plainName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Contract names for table names: a plain identifier stays, anything else (`order notes`) becomes
 * snake_case, unique among the tables, so relationships (`to: object.property`) stay valid
 * references; the table's own name is kept as `physicalName`.
 */
function objectNames(tables: readonly string[]): Map<string, string> {
  const taken = new Set(tables.filter((t) => plainName.test(t)));
  return new Map(
    tables.map((table) => {
      if (plainName.test(table)) return [table, table];
      const base =
        table
          .normalize("NFKD")
          .replace(/[\u0300-\u036f]/g, "")
          .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, "_")
          .replace(/^_+|_+$/g, "")
          .replace(/^(?=\d)/, "_") || "table";
      let candidate = base;
      for (let i = 2; taken.has(candidate); i++) candidate = `${base}_${i}`;
      taken.add(candidate);
      return [table, candidate];
    }),
  );
}

/** A DuckDB database file carries `DUCK` at byte 8 of its first block. */
async function isDuckDbFile(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(12);
    const { bytesRead } = await handle.read(buffer, 0, 12, 0);
    return bytesRead === 12 && buffer.subarray(8, 12).toString("latin1") === "DUCK";
  } finally {
    await handle.close();
  }
}

/**
 * Reads the tables of one schema of a DuckDB database file through the engine the registry serves
 * `duckdb` servers with, opened READ-ONLY (the file is never written): the catalog (types,
 * NOT NULL, primary, unique and foreign keys, CHECK constraints, comments) from
 * duckdb_tables()/duckdb_views()/duckdb_columns()/duckdb_constraints(), then one scan per table.
 */
export async function inspectDuckDb(request: DataInspectionRequest, baseDir: string, env: Env): Promise<InspectedData> {
  const location = request.location.trim();
  if (location === "") throw new InputError("give the DuckDB database file to read", { code: "data-no-location" });
  const path = isAbsolute(location) ? location : resolve(baseDir, location);
  const found = await stat(path).catch(() => undefined);
  if (found === undefined) throw new NotFoundError(`no file ${location}`, { code: "data-not-found" });
  if (!found.isFile()) throw new InputError(`${location} is not a file`, { code: "data-not-a-file" });
  if (found.size === 0) throw new InputError(`${location} is empty`, { code: "data-empty-file" });
  if (!(await isDuckDbFile(path)))
    throw new InputError(`${location} is not a DuckDB database (it has no DUCK signature at byte 8)`, {
      code: "data-not-duckdb",
    });
  const schema = request.options.schema?.trim() || "main";
  const maxValues = Number(request.options.values ?? 20);
  const server = { server: "duckdb", type: "duckdb", database: location, schema };
  const engine = installedEngines.forType("duckdb");
  if (engine === undefined) throw new UnavailableError("no installed engine reads DuckDB databases");
  const factory = await engine.load();
  let conn: Connection;
  try {
    conn = await factory({ server: { ...server, database: path }, objects: [], baseDir, env });
  } catch (e) {
    const message = (e instanceof Error ? e.message : String(e)).split("\n")[0]?.replaceAll(path, location);
    throw new InputError(`cannot read ${location} as a DuckDB database: ${message}`, { code: "data-unreadable" });
  }
  try {
    const d = conn.dialect;
    const inSchema = `database_name = current_database() AND schema_name = ${d.literal(schema)}`;
    const relations = await conn.run(
      `SELECT table_name AS name, 'table' AS kind, comment AS description FROM duckdb_tables() WHERE ${inSchema} AND NOT internal
UNION ALL
SELECT view_name, 'view', comment FROM duckdb_views() WHERE ${inSchema} AND NOT internal
ORDER BY name`,
    );
    if (relations.length === 0) {
      const [known] = await conn.run(
        `SELECT count(*) AS n FROM duckdb_schemas() WHERE database_name = current_database() AND schema_name = ${d.literal(schema)}`,
      );
      throw Number(known?.n ?? 0) === 0
        ? new NotFoundError(`there is no schema ${JSON.stringify(schema)} in ${location}`, { code: "data-not-found" })
        : new NotFoundError(`schema ${JSON.stringify(schema)} of ${location} has no tables`, {
            code: "data-not-found",
          });
    }
    const all = new Map(relations.map((r) => [String(r.name), r]));
    const asked = request.options.table
      ?.split(",")
      .map((t) => t.trim())
      .filter(Boolean);
    const chosen = asked === undefined || asked.length === 0 ? [...all.keys()] : asked;
    const missing = chosen.filter((t) => !all.has(t));
    if (missing.length > 0) {
      const known = [...all.keys()];
      throw new NotFoundError(
        `no table ${missing.map((t) => JSON.stringify(t)).join(", ")} in schema ${JSON.stringify(schema)} of ${location} (it has ${known.slice(0, 20).join(", ")}${known.length > 20 ? ", …" : ""})`,
        { code: "data-not-found" },
      );
    }
    const names = `table_name IN (${chosen.map((t) => d.literal(t)).join(", ")})`;
    const columnRows = await conn.run(
      `SELECT table_name AS tbl, column_name AS name, data_type AS type, is_nullable AS nullable, comment AS description
FROM duckdb_columns() WHERE ${inSchema} AND ${names} ORDER BY table_name, column_index`,
    );
    const constraintRows = await conn.run(
      `SELECT table_name AS tbl, constraint_name AS name, constraint_type AS kind,
       CAST(to_json(constraint_column_names) AS VARCHAR) AS columns,
       referenced_table AS ref_table, CAST(to_json(referenced_column_names) AS VARCHAR) AS ref_columns,
       expression
FROM duckdb_constraints() WHERE ${inSchema} AND ${names} AND constraint_type IN ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY', 'CHECK')
ORDER BY table_name, constraint_index`,
    );
    const byTable = (rows: Row[], table: string) => rows.filter((r) => r.tbl === table);
    const named = objectNames([...all.keys()]);
    const nameOf = (table: string) => named.get(table) ?? table;
    const datasets: InspectedDataset[] = [];
    for (const table of chosen) {
      const relation = all.get(table) as Row;
      const described = byTable(columnRows, table);
      const columns = described.map((r) => ({
        name: String(r.name),
        type: String(r.type),
        nullable: r.nullable !== false,
      }));
      const scanned = await scanColumns(
        conn,
        `${d.quoteIdentifier(schema)}.${d.quoteIdentifier(table)}`,
        columns,
        maxValues,
      ).catch((e: unknown) => {
        throw new EngineError(
          `cannot read table ${JSON.stringify(table)} of ${location}: ${e instanceof Error ? e.message : String(e)}`,
          { code: "data-unreadable", cause: e },
        );
      });
      const comments = new Map(described.map((r) => [String(r.name), text(r.description)]));
      const constraints = byTable(constraintRows, table);
      const primary = constraints.find((k) => k.kind === "PRIMARY KEY");
      const description = text(relation.description);
      const dataset: InspectedDataset = {
        ...(description !== undefined ? { description } : {}),
        name: nameOf(table),
        physicalName: table,
        physicalType: String(relation.kind),
        rowCount: scanned.rowCount,
        columns: scanned.columns.map((c) => {
          const description = comments.get(c.name);
          const enumValues = enumValuesOf(c.type);
          return {
            ...c,
            ...(description !== undefined ? { description } : {}),
            ...(enumValues !== undefined ? { enumValues } : {}),
          };
        }),
        ...(primary !== undefined ? { primaryKey: list(primary.columns) } : {}),
        foreignKeys: constraints
          .filter((k) => k.kind === "FOREIGN KEY")
          .map((k) => ({
            columns: list(k.columns),
            table: nameOf(String(k.ref_table)),
            references: list(k.ref_columns),
          })),
        uniqueKeys: constraints.filter((k) => k.kind === "UNIQUE").map((k) => list(k.columns)),
        checks: constraints
          .filter((k) => k.kind === "CHECK" && text(k.expression) !== undefined)
          .map((k) => ({ name: String(k.name), expression: checkBody(String(k.expression)) })),
      };
      datasets.push(dataset);
    }
    return { server, datasets };
  } finally {
    await conn.close();
  }
}

/** The labels of an `ENUM('a', 'b')` type, in their order; undefined for any other type. */
export function enumValuesOf(type: string): string[] | undefined {
  const m = /^ENUM\(([\s\S]*)\)$/i.exec(type.trim());
  if (!m) return undefined;
  const values: string[] = [];
  const literal = /\s*'((?:[^']|'')*)'\s*(,|$)/y;
  const body = m[1] as string;
  for (let at = 0; at < body.length; ) {
    literal.lastIndex = at;
    const v = literal.exec(body);
    if (!v) return undefined;
    values.push((v[1] as string).replaceAll("''", "'"));
    at = literal.lastIndex;
  }
  return values;
}

/** DuckDB prints a CHECK constraint as `CHECK((quantity > 0))`; the condition is what is inside. */
function checkBody(expression: string): string {
  const m = /^\s*CHECK\s*\(([\s\S]*)\)\s*$/i.exec(expression);
  return (m?.[1] ?? expression).trim();
}
