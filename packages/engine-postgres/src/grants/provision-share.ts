import { ConflictError, PostgresDialect } from "@quanta/core";
import type { ReadDataset } from "@quanta/core/engines";
import type pg from "pg";
import { maskedSelect } from "../masked-select.js";
import type { PostgresConfig } from "../postgres-config.js";
import { grantError, inTransaction, withAdmin } from "./admin-session.js";
import { defaultViewName, shareIdentifier } from "./share-identifier.js";

const dialect = new PostgresDialect();
const q = (name: string) => dialect.quoteIdentifier(name);

/** What one agreement shares on a server: a role of its own reading one view per dataset. */
export interface ShareSpec {
  /** The agreement's role, e.g. `quanta_agr_42` (`[a-z0-9_]`, at most 63 bytes). */
  role: string;
  /** The schema holding the share views, e.g. `quanta_shares`; created, owned by the admin. */
  schema: string;
  /** Table sources with their masks and row filters, as the read path plans them. */
  datasets: readonly ReadDataset[];
  /** Each dataset's view in `schema`; default `<role>__<dataset name>`. */
  viewName?: ((dataset: ReadDataset) => string) | undefined;
}

export interface ProvisionedShare {
  role: string;
  /** `schema.view`, one per dataset, in the order given. */
  views: string[];
}

/** The views of `schema` that `role` has a privilege on (its current share there). */
const grantedViewsSql = `SELECT c.relname AS view
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind = 'v'
  AND EXISTS (SELECT 1 FROM pg_catalog.aclexplode(c.relacl) a JOIN pg_catalog.pg_roles r ON r.oid = a.grantee WHERE r.rolname = $2)`;

/** Roles other than the owner and `role` holding a privilege on the view `schema.view`. */
const otherGranteesSql = `SELECT DISTINCT r.rolname AS grantee
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL pg_catalog.aclexplode(c.relacl) a
JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
WHERE n.nspname = $1 AND c.relname = $2 AND a.grantee <> c.relowner AND r.rolname <> $3`;

async function run(client: pg.Client, sql: string, what: string, values?: unknown[]): Promise<pg.QueryResult> {
  try {
    return await client.query(sql, values);
  } catch (e) {
    throw grantError(e, what, sql);
  }
}

/**
 * Makes a data usage agreement a database permission, in one transaction as the admin role:
 * the agreement's role (NOLOGIN until `issueLogin`, read-only by default), the share schema
 * (PUBLIC revoked), and one plain view per dataset serving it masked and filtered (masked-select),
 * with `security_barrier` so that no condition of the reader's runs before the row filters (a
 * function that raises or logs could otherwise see hidden rows). The views run with their owner's
 * rights: the role needs no right on the tables, and is granted USAGE on the schema and SELECT on
 * its views only. Idempotent: a second run replaces the views (new masks, filters, columns) and
 * drops the role's views that are no longer in the share. The admin needs CREATEROLE, CREATE on
 * the database (or on an existing share schema) and SELECT on the tables.
 */
export async function provisionShare(admin: PostgresConfig, share: ShareSpec): Promise<ProvisionedShare> {
  const role = shareIdentifier("role", share.role);
  const schema = shareIdentifier("schema", share.schema);
  const names = share.datasets.map((d) =>
    shareIdentifier("view", (share.viewName ?? ((x) => defaultViewName(role, x.name)))(d)),
  );
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) {
    throw new ConflictError(`two datasets of the share would both be the view ${schema}.${duplicate}`, {
      code: "share-view-duplicate",
    });
  }
  return withAdmin(admin, (client) =>
    inTransaction(client, role, async () => {
      const exists = await run(
        client,
        "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1",
        "cannot look up the role",
        [role],
      );
      if (exists.rows.length === 0) {
        await run(client, `CREATE ROLE ${q(role)} NOLOGIN NOINHERIT`, `cannot create the role ${role}`);
        await run(
          client,
          `ALTER ROLE ${q(role)} SET default_transaction_read_only = on`,
          `cannot make the role ${role} read-only by default`,
        );
      }
      await run(client, `CREATE SCHEMA IF NOT EXISTS ${q(schema)}`, `cannot create the schema ${schema}`);
      await run(client, `REVOKE ALL ON SCHEMA ${q(schema)} FROM PUBLIC`, `cannot close the schema ${schema}`);
      await run(client, `GRANT USAGE ON SCHEMA ${q(schema)} TO ${q(role)}`, `cannot open ${schema} to ${role}`);
      const before = (await run(client, grantedViewsSql, "cannot list the share's views", [schema, role])).rows.map(
        (r) => String(r.view),
      );
      for (const [i, dataset] of share.datasets.entries()) {
        const view = names[i]!;
        const others = await run(client, otherGranteesSql, "cannot read the view's grants", [schema, view, role]);
        if (others.rows.length > 0) {
          throw new ConflictError(
            `the view ${schema}.${view} belongs to another share (granted to ${others.rows.map((r) => r.grantee).join(", ")})`,
            { code: "share-view-taken" },
          );
        }
        const select = await maskedSelect(client, dataset, admin.schema);
        const relation = `${q(schema)}.${q(view)}`;
        // Dropped and created again rather than replaced: a changed mask changes a column's type,
        // which CREATE OR REPLACE VIEW refuses.
        await run(client, `DROP VIEW IF EXISTS ${relation}`, `cannot replace the view ${schema}.${view}`);
        await run(
          client,
          `CREATE VIEW ${relation} WITH (security_barrier = true) AS ${select.sql}`,
          `cannot create the view ${schema}.${view} of dataset "${dataset.name}"`,
        );
        await run(client, `REVOKE ALL ON ${relation} FROM PUBLIC`, `cannot close the view ${schema}.${view}`);
        await run(client, `GRANT SELECT ON ${relation} TO ${q(role)}`, `cannot grant ${schema}.${view} to ${role}`);
      }
      for (const stale of before.filter((v) => !names.includes(v))) {
        await run(client, `DROP VIEW IF EXISTS ${q(schema)}.${q(stale)}`, `cannot drop the view ${schema}.${stale}`);
      }
      return { role, views: names.map((v) => `${schema}.${v}`) };
    }),
  );
}
