import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { PostgresDialect } from "@quanta/core";
import { readTabularFile } from "@quanta/engine-duckdb";
import { customProperty } from "../access/port-access.js";
import { portContract, schemaObjects } from "../harness/port-data.js";
import type { Lake } from "../lake/lake.js";
import { type DataFormat, dataFormats, publishData } from "../lake/publish-data.js";
import { ProductRepository } from "../registry/product-repository.js";
import { arr, type Obj, obj, str } from "../registry/read.js";
import type { Database } from "../storage/database.js";

/** The schema the demo's PostgreSQL-served tables live in, in the platform's own database. */
export const demoWarehouseSchema = "quanta_demo";
/** The demo contracts' PostgreSQL server, whose connection is the platform's own database. */
export const demoWarehouseServer = "warehouse";

const dialect = new PostgresDialect();
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Where a published demo product's data file of one dataset is, from its contract's `local` server. */
function localFile(contract: Obj, contractFile: string, folder: string, table: string) {
  const server = arr(contract.servers)
    .map(obj)
    .find((s) => s?.type === "local");
  const path = str(server?.path);
  if (!server || !path) return undefined;
  const file = resolve(dirname(resolve(folder, contractFile)), path.replaceAll("{model}", table));
  const format = (str(server.format) ?? file.split(".").pop() ?? "") as DataFormat;
  return dataFormats.includes(format) ? { file, format } : undefined;
}

/**
 * The demo mesh's data where a real mesh keeps it (issue 14): source-aligned products
 * (`dataProductType: source-aligned`) publish their data files to the storage Quanta owns, once,
 * through the same tested path as `PUT …/data`; on PostgreSQL, each contract with a `warehouse`
 * server in schema `quanta_demo` gets its table there, loaded once from its data file, so it is tested,
 * consumed and granted in PostgreSQL. Never throws: what cannot be placed is reported, and the
 * product keeps reading its files.
 */
export async function placeDemoData(
  db: Database,
  lake: Lake,
  published: ReadonlyMap<string, string>,
  /** `warehouse`: the platform database's URL when it is PostgreSQL. */
  options: { warehouse: string | undefined; log: (line: string) => void },
): Promise<{ stored: string[]; warehouse: string[]; warehouseUrl?: string }> {
  const stored: string[] = [];
  const warehouse: string[] = [];
  const products = new ProductRepository(db);
  for (const [id, folder] of published) {
    const product = await products.get(id);
    if (!product) continue;
    const sourceAligned = customProperty(obj(product.document), "dataProductType") === "source-aligned";
    for (const port of product.ports.filter((p) => p.direction === "output" && p.contractId)) {
      try {
        const pc = await portContract(db, id, port);
        // On PostgreSQL a `warehouse` table is where the port's data lives: never shadowed by a version.
        if (options.warehouse && (await loadWarehouse(db, pc.contract, pc.file, folder))) {
          warehouse.push(`${id}/${port.name}`);
        } else if (sourceAligned && !(await lake.versions.current(db, id, port.name))) {
          for (const o of schemaObjects(pc.contract)) {
            const located = localFile(pc.contract, pc.file, folder, o.physicalName ?? o.name);
            if (!located) continue;
            await publishData(db, lake, {
              productId: id,
              port: port.name,
              dataset: o.name,
              format: located.format,
              body: createReadStream(located.file),
              length: (await stat(located.file)).size,
              actor: "quanta-demo",
            });
          }
          stored.push(`${id}/${port.name}`);
        }
      } catch (e) {
        options.log(`demo data of ${id} port ${port.name} stays in its files: ${message(e)}`);
      }
    }
  }
  if (warehouse.length === 0 || !options.warehouse) return { stored, warehouse };
  try {
    return { stored, warehouse, warehouseUrl: await demoReader(db, options.warehouse) };
  } catch (e) {
    options.log(`the demo's warehouse tables stay unread (their files are read instead): ${message(e)}`);
    return { stored, warehouse: [] };
  }
}

/** The role the demo's warehouse server connects as: it reads the tables of `quanta_demo`, nothing else. */
export const demoReaderRole = "quanta_demo_reader";

/**
 * A login that reads only the demo's warehouse tables, with a fresh password each start (kept in
 * this process only), as the URL of the platform's database with that role.
 */
async function demoReader(db: Database, platformUrl: string): Promise<string> {
  const password = randomBytes(24).toString("base64url");
  const role = dialect.quoteIdentifier(demoReaderRole);
  const schema = dialect.quoteIdentifier(demoWarehouseSchema);
  await db.transaction(async (tx) => {
    const { rows } = await tx.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [demoReaderRole]);
    if (rows.length === 0) await tx.exec(`CREATE ROLE ${role} LOGIN`);
    await tx.exec(`ALTER ROLE ${role} LOGIN PASSWORD ${dialect.stringLiteral(password)};
      GRANT USAGE ON SCHEMA ${schema} TO ${role};
      GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role};`);
  });
  const url = new URL(platformUrl);
  url.username = demoReaderRole;
  url.password = password;
  return url.toString();
}

/** Column types for the contract's logical types, as the demo's warehouse tables declare them. */
const columnTypes: Record<string, string> = {
  integer: "bigint",
  number: "double precision",
  boolean: "boolean",
  date: "date",
  timestamp: "timestamptz",
  string: "text",
};

/** PostgreSQL spells these physical types as DuckDB does (with a length or precision, or without). */
const sharedTypes =
  /^(integer|bigint|smallint|boolean|date|timestamp|timestamptz|text|real|(varchar|decimal|numeric)(\(\d+(, ?\d+)?\))?)$/i;

/** A column's type: its physical type where PostgreSQL spells it the same, else from its logical type. */
function columnType(prop: Obj): string {
  const physical = str(prop.physicalType)?.trim() ?? "";
  if (sharedTypes.test(physical)) return physical;
  if (/^double$/i.test(physical)) return "double precision";
  return columnTypes[str(prop.logicalType) ?? "string"] ?? "text";
}

/** Creates the contract's tables in `quanta_demo` from its data files, once; false when it has none there. */
async function loadWarehouse(db: Database, contract: Obj, contractFile: string, folder: string): Promise<boolean> {
  const server = arr(contract.servers)
    .map(obj)
    .find((s) => s?.server === demoWarehouseServer && s.schema === demoWarehouseSchema);
  if (!server) return false;
  const schema = dialect.quoteIdentifier(demoWarehouseSchema);
  for (const x of arr(contract.schema)) {
    const o = obj(x);
    const table = str(o?.physicalName) ?? str(o?.name);
    if (!o || !table) continue;
    const located = localFile(contract, contractFile, folder, table);
    if (!located || (located.format !== "parquet" && located.format !== "csv")) continue;
    const columns = arr(o.properties).flatMap((p) => {
      const prop = obj(p);
      const name = str(prop?.physicalName) ?? str(prop?.name);
      return prop && name ? [{ name, type: columnType(prop) }] : [];
    });
    const target = `${schema}.${dialect.quoteIdentifier(table)}`;
    // Loaded once, like the storage: a later start keeps the table (and the views granted on it).
    const { rows: exists } = await db.query<{ t: string | null }>("SELECT to_regclass($1)::text AS t", [
      `${demoWarehouseSchema}.${table}`,
    ]);
    if (exists[0]?.t) continue;
    const { records } = await readTabularFile(located.file, located.format, 1_000_000);
    await db.transaction(async (tx) => {
      await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${schema};
        CREATE TABLE ${target} (${columns.map((c) => `${dialect.quoteIdentifier(c.name)} ${c.type}`).join(", ")});`);
      // Rows in batches, each value a parameter cast to its column's type.
      const batch = Math.max(1, Math.floor(30_000 / Math.max(1, columns.length)));
      for (let i = 0; i < records.length; i += batch) {
        const rows = records.slice(i, i + batch);
        const values: unknown[] = [];
        const tuples = rows.map((r) => {
          const cells = columns.map((c) => {
            const v = r[c.name];
            values.push(v === null || v === undefined ? null : typeof v === "object" ? JSON.stringify(v) : String(v));
            return `$${values.length}::${c.type}`;
          });
          return `(${cells.join(", ")})`;
        });
        await tx.query(`INSERT INTO ${target} VALUES ${tuples.join(", ")}`, values);
      }
    });
  }
  return true;
}
