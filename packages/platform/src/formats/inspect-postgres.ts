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

/** The contract's server name: credentials for it may come from QUANTA_SERVER_POSTGRES_PASSWORD. */
const serverName = "postgres";

const relationKinds: Record<string, string> = {
  r: "table",
  p: "table",
  v: "view",
  m: "materialized view",
  f: "foreign table",
};

interface Target {
  host: string;
  port: number;
  database: string;
  user?: string;
  password?: string;
}

/** `postgresql://user@host:port/db` → where to connect; the password (if any) kept apart, never shown. */
export function parsePostgresUrl(location: string): Target {
  // Greedy to the last `@`: a password may hold `/` or `@` and still be hidden.
  const shown = location.replace(/(:\/\/[^:/@\s]*):\S*@/, "$1:***@");
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new InputError(`postgres reads a postgresql://user@host:port/database URL; got ${JSON.stringify(shown)}`, {
      code: "data-bad-url",
    });
  }
  if (!/^postgres(ql)?:$/i.test(url.protocol))
    throw new InputError(`postgres reads a postgresql://user@host:port/database URL; got ${JSON.stringify(shown)}`, {
      code: "data-bad-url",
    });
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (host === "") throw new InputError(`the URL ${shown} names no host`, { code: "data-bad-url" });
  if (database === "" || database.includes("/"))
    throw new InputError(`the URL ${shown} names no database (postgresql://user@host:port/database)`, {
      code: "data-bad-url",
    });
  const target: Target = { host, port: url.port === "" ? 5432 : Number(url.port), database };
  if (url.username !== "") target.user = decodeURIComponent(url.username);
  if (url.password !== "") target.password = decodeURIComponent(url.password);
  return target;
}

/**
 * The password for the import's connection: the URL's, else the engine's own lookup
 * (QUANTA_SERVER_POSTGRES_PASSWORD, QUANTA_POSTGRES_PASSWORD), else `PGPASSWORD` of the given
 * environment, which the driver would otherwise only read from the process. Where the platform
 * scopes credentials to hosts (QUANTA_POSTGRES_HOSTS), `PGPASSWORD` goes only to those hosts.
 */
function passwordFor(target: Target, env: Env): string | undefined {
  if (target.password !== undefined) return target.password;
  if (env[`QUANTA_SERVER_${serverName.toUpperCase()}_PASSWORD`] || env.QUANTA_POSTGRES_PASSWORD) return undefined;
  const hosts = env.QUANTA_POSTGRES_HOSTS;
  const allowed =
    hosts === undefined ||
    hosts
      .split(/[\s,]+/)
      .filter(Boolean)
      .some((h) => h.toLowerCase() === target.host.toLowerCase());
  return allowed ? env.PGPASSWORD || undefined : undefined;
}

/**
 * Reads the tables of one schema of a live PostgreSQL database through the engine the registry
 * serves `postgres` servers with: the catalog (tables, types, NOT NULL, keys, foreign keys, CHECK
 * constraints, comments) in three queries, then one scan per table.
 */
export async function inspectPostgres(
  request: DataInspectionRequest,
  baseDir: string,
  env: Env,
  given?: string,
): Promise<InspectedData> {
  const target = parsePostgresUrl(request.location.trim());
  const schema = request.options.schema?.trim() || "public";
  const maxValues = Number(request.options.values ?? 20);
  const server = {
    server: serverName,
    type: "postgres",
    host: target.host,
    port: target.port,
    database: target.database,
    schema,
  };
  const password = given ?? passwordFor(target, env);
  const user = target.user ?? text(env.PGUSER);
  const connect = {
    ...server,
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
  };
  const engine = installedEngines.forType("postgres");
  if (engine === undefined) throw new UnavailableError("no installed engine reads PostgreSQL");
  const factory = await engine.load();
  const conn: Connection = await factory({ server: connect, objects: [], baseDir, env });
  try {
    const d = conn.dialect;
    const where = `${target.database} on ${target.host}:${target.port}`;
    const inSchema = `n.nspname = ${d.literal(schema)}`;
    const relations =
      await conn.run(`SELECT c.relname AS name, c.relkind AS kind, obj_description(c.oid, 'pg_class') AS description
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE ${inSchema} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
ORDER BY c.relname`);
    if (relations.length === 0) {
      const [found] = await conn.run(`SELECT count(*) AS n FROM pg_catalog.pg_namespace n WHERE ${inSchema}`);
      throw Number(found?.n ?? 0) === 0
        ? new NotFoundError(`there is no schema ${JSON.stringify(schema)} in database ${where}`, {
            code: "data-not-found",
          })
        : new NotFoundError(`schema ${JSON.stringify(schema)} of database ${where} has no tables`, {
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
        `no table ${missing.map((t) => JSON.stringify(t)).join(", ")} in schema ${JSON.stringify(schema)} of database ${where} (it has ${known.slice(0, 20).join(", ")}${known.length > 20 ? ", …" : ""})`,
        { code: "data-not-found" },
      );
    }
    const names = `c.relname IN (${chosen.map((t) => d.literal(t)).join(", ")})`;
    const columnRows =
      await conn.run(`SELECT c.relname AS tbl, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null, col_description(c.oid, a.attnum) AS description,
       CASE WHEN t.typtype = 'e' THEN (SELECT CAST(json_agg(e.enumlabel ORDER BY e.enumsortorder) AS text)
         FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) END AS enum_values
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
WHERE ${inSchema} AND ${names}
ORDER BY c.relname, a.attnum`);
    const keyColumns = (keys: string, rel: string) =>
      `(SELECT CAST(json_agg(a.attname ORDER BY u.i) AS text) FROM unnest(k.${keys}) WITH ORDINALITY AS u(num, i)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = k.${rel} AND a.attnum = u.num)`;
    const constraintRows = await conn.run(`SELECT c.relname AS tbl, k.conname AS name, k.contype AS kind,
       ${keyColumns("conkey", "conrelid")} AS columns,
       f.relname AS ref_table, fn.nspname AS ref_schema,
       ${keyColumns("confkey", "confrelid")} AS ref_columns,
       CASE WHEN k.contype = 'c' THEN pg_get_expr(k.conbin, k.conrelid) END AS expression
FROM pg_catalog.pg_constraint k
JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_class f ON f.oid = k.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = f.relnamespace
WHERE ${inSchema} AND ${names} AND k.contype IN ('p', 'u', 'f', 'c')
ORDER BY c.relname, k.conname`);
    const byTable = (rows: Row[], table: string) => rows.filter((r) => r.tbl === table);
    const datasets: InspectedDataset[] = [];
    for (const table of chosen) {
      const relation = all.get(table) as Row;
      const described = byTable(columnRows, table);
      const columns = described.map((r) => ({
        name: String(r.name),
        type: String(r.type),
        nullable: r.not_null !== true,
      }));
      const scanned = await scanColumns(
        conn,
        `${d.quoteIdentifier(schema)}.${d.quoteIdentifier(table)}`,
        columns,
        maxValues,
      ).catch((e: unknown) => {
        // Which table, since a schema's import scans many (a time limit, a permission).
        throw new EngineError(
          `cannot read table ${JSON.stringify(table)} of schema ${JSON.stringify(schema)}: ${e instanceof Error ? e.message : String(e)}`,
          {
            code: "data-unreadable",
            cause: e,
          },
        );
      });
      const comments = new Map(described.map((r) => [String(r.name), text(r.description)]));
      const enums = new Map(
        described.filter((r) => r.enum_values !== null).map((r) => [String(r.name), list(r.enum_values)]),
      );
      const constraints = byTable(constraintRows, table);
      const primary = constraints.find((k) => k.kind === "p");
      const description = text(relation.description);
      const dataset: InspectedDataset = {
        ...(description !== undefined ? { description } : {}),
        name: table,
        physicalName: table,
        physicalType: relationKinds[String(relation.kind)] ?? "table",
        rowCount: scanned.rowCount,
        columns: scanned.columns.map((c) => {
          const description = comments.get(c.name);
          const enumValues = enums.get(c.name);
          return {
            ...c,
            ...(description !== undefined ? { description } : {}),
            ...(enumValues !== undefined ? { enumValues } : {}),
          };
        }),
        ...(primary !== undefined ? { primaryKey: list(primary.columns) } : {}),
        foreignKeys: constraints
          .filter((k) => k.kind === "f")
          .map((k) => ({
            columns: list(k.columns),
            table: k.ref_schema === schema ? String(k.ref_table) : `${String(k.ref_schema)}.${String(k.ref_table)}`,
            references: list(k.ref_columns),
          })),
        uniqueKeys: constraints.filter((k) => k.kind === "u").map((k) => list(k.columns)),
        checks: constraints
          .filter((k) => k.kind === "c" && text(k.expression) !== undefined)
          .map((k) => ({ name: String(k.name), expression: String(k.expression) })),
      };
      datasets.push(dataset);
    }
    return { server, datasets };
  } finally {
    await conn.close();
  }
}
