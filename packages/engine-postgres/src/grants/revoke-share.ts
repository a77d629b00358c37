import { InputError, PostgresDialect } from "@quanta/core";
import type pg from "pg";
import type { PostgresConfig } from "../postgres-config.js";
import { grantError, inTransaction, withAdmin } from "./admin-session.js";
import { shareIdentifier } from "./share-identifier.js";

const dialect = new PostgresDialect();
const q = (name: string) => dialect.quoteIdentifier(name);

export interface RevokedShare {
  role: string;
  /** Views dropped (`schema.view`), those already gone left out. */
  dropped: string[];
  /** Sessions of the role that were open and are now ended. */
  terminated: number;
}

/** `schema.view`, as provisionShare returns it. */
function parseView(view: string): { schema: string; name: string } {
  const [schema, name, ...rest] = view.split(".");
  if (schema === undefined || name === undefined || rest.length > 0)
    throw new InputError(`a share view is named schema.view, got ${JSON.stringify(view)}`, {
      code: "share-name-invalid",
    });
  return { schema: shareIdentifier("schema", schema), name: shareIdentifier("view", name) };
}

/** Schemas and relations of this database whose privileges name the role. */
const grantedSql = `SELECT 'schema' AS kind, n.nspname AS schema, NULL AS relation
FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
WHERE a.grantee = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1)
UNION
SELECT 'relation', n.nspname, c.relname
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace, pg_catalog.aclexplode(c.relacl) a
WHERE a.grantee = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = $1)`;

async function run(client: pg.Client, sql: string, what: string, values?: unknown[]): Promise<pg.QueryResult> {
  try {
    return await client.query(sql, values);
  } catch (e) {
    throw grantError(e, what, sql);
  }
}

/**
 * Ends a share: first, in one transaction, the role loses its login, its views are dropped (their
 * grants with them) and every other privilege it holds in the database (USAGE on the share
 * schema) is revoked, so nothing it runs from then on reads
 * anything; then its open sessions are terminated (waiting up to 5 s for each) and the role is
 * dropped. Idempotent: an absent role or view is fine, and a run stopped half-way is finished by
 * the next. Terminating needs the admin to have pg_signal_backend (or be superuser).
 */
export async function revokeShare(
  admin: PostgresConfig,
  role: string,
  views: readonly string[],
): Promise<RevokedShare> {
  const name = shareIdentifier("role", role);
  const parsed = views.map(parseView);
  return withAdmin(admin, async (client) => {
    const exists = async () =>
      (await run(client, "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1", "cannot look up the role", [name]))
        .rows.length > 0;
    const dropped = await inTransaction(client, name, async () => {
      const present = await exists();
      if (present) await run(client, `ALTER ROLE ${q(name)} NOLOGIN`, `cannot stop ${name} logging in`);
      const gone: string[] = [];
      for (const v of parsed) {
        const found = await run(
          client,
          `SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind = 'v'`,
          "cannot look up the view",
          [v.schema, v.name],
        );
        if (found.rows.length === 0) continue;
        await run(client, `DROP VIEW ${q(v.schema)}.${q(v.name)}`, `cannot drop the view ${v.schema}.${v.name}`);
        gone.push(`${v.schema}.${v.name}`);
      }
      if (present) {
        // Whatever else the role was granted in this database (a view the caller did not list, the
        // share schema), so that nothing is left to read and DROP ROLE finds no dependent privilege.
        const granted = await run(client, grantedSql, "cannot list the role's privileges", [name]);
        for (const g of granted.rows as { kind: string; schema: string; relation: string | null }[]) {
          const target = g.kind === "schema" ? `SCHEMA ${q(g.schema)}` : `${q(g.schema)}.${q(String(g.relation))}`;
          await run(client, `REVOKE ALL ON ${target} FROM ${q(name)}`, `cannot revoke the privileges of ${name}`);
        }
      }
      return gone;
    });
    if (!(await exists())) return { role: name, dropped, terminated: 0 };
    const ended = await run(
      client,
      `SELECT count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(pid, 5000)) AS n
       FROM pg_catalog.pg_stat_activity WHERE usename = $1 AND pid <> pg_catalog.pg_backend_pid()`,
      `cannot end the open sessions of ${name}`,
      [name],
    );
    await inTransaction(client, name, () =>
      run(client, `DROP ROLE IF EXISTS ${q(name)}`, `cannot drop the role ${name}`),
    );
    return { role: name, dropped, terminated: Number(ended.rows[0]?.n ?? 0) };
  });
}
