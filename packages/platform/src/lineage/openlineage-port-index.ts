import type { Queryable } from "../storage/database.js";

/** A Quanta port an OpenLineage dataset names, and the columns its contract declares per dataset. */
export interface PortMatch {
  productId: string;
  port: string;
  ownerTeam: string | null;
  /** The contract's schema object the dataset is (its `name`). */
  dataset: string;
  /** The columns of that schema object (`properties[].name`). */
  columns: ReadonlySet<string>;
}

interface SchemaObject {
  name: string;
  physicalName: string;
  columns: Set<string>;
}

interface PortRow {
  productId: string;
  port: string;
  ownerTeam: string | null;
  document: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" ? v : typeof v === "number" ? String(v) : undefined;
const trimSlash = (s: string) => s.replace(/\/+$/, "");
/** A location without its glob tail (`s3://b/orders/*.parquet` → `s3://b/orders`). */
const folderOf = (s: string) => trimSlash(s.replace(/[*?[{].*$/, ""));

/** A port's entries, one key per way an OpenLineage dataset may name it (see `keysOf`). */
function entriesOf(row: PortRow): [string, PortMatch][] {
  const doc = isObj(row.document) ? row.document : {};
  const objects: SchemaObject[] = (Array.isArray(doc.schema) ? doc.schema : []).filter(isObj).map((o) => ({
    name: text(o.name) ?? "",
    physicalName: text(o.physicalName) ?? text(o.name) ?? "",
    columns: new Set(
      (Array.isArray(o.properties) ? o.properties : [])
        .filter(isObj)
        .map((p) => text(p.name))
        .filter((n): n is string => n !== undefined),
    ),
  }));
  const match = (o: SchemaObject): PortMatch => ({
    productId: row.productId,
    port: row.port,
    ownerTeam: row.ownerTeam,
    dataset: o.name,
    columns: o.columns,
  });
  const out: [string, PortMatch][] = [];
  for (const server of (Array.isArray(doc.servers) ? doc.servers : []).filter(isObj)) {
    const type = text(server.type)?.toLowerCase();
    if (type === "postgres" || type === "postgresql") {
      const host = text(server.host)?.toLowerCase();
      const database = text(server.database);
      const schema = text(server.schema) ?? "public";
      if (!host || !database) continue;
      const port = text(server.port) ?? "5432";
      for (const o of objects)
        for (const table of new Set([o.physicalName, o.name]))
          out.push([`postgres://${host}:${port}|${database}.${schema}.${table}`.toLowerCase(), match(o)]);
    } else if (type === "local" || type === "file" || type === "s3") {
      const where = text(server.location) ?? text(server.path);
      // A relative path is relative to the contract file, which an outside tool cannot name.
      if (!where || (type !== "s3" && !where.startsWith("/"))) continue;
      const full = type === "s3" && !where.startsWith("s3://") ? `s3://${where}` : where;
      // One dataset: the location is it; several: each is the folder of its physical name below it.
      if (objects.length === 1 && objects[0]) out.push([`loc|${folderOf(full)}`, match(objects[0])]);
      else for (const o of objects) out.push([`loc|${folderOf(full)}/${o.physicalName}`, match(o)]);
    }
  }
  return out;
}

/**
 * The keys an OpenLineage dataset's (namespace, name) is looked up by, most precise first:
 * `postgres://host:port` + `db.schema.table`; a file (`file://…`, `file`, a path namespace) or an
 * S3 object (`s3://bucket` + key), as the location and each folder above it.
 */
export function keysOf(namespace: string, name: string): string[] {
  const ns = namespace.trim();
  if (/^postgres(ql)?:\/\//i.test(ns)) {
    const url = ns.replace(/^postgresql:/i, "postgres:");
    const withPort = /:\d+$/.test(trimSlash(url)) ? trimSlash(url) : `${trimSlash(url)}:5432`;
    const parts = name.split(".");
    // OpenLineage names a table `database.schema.table`; a two-part name is in schema public.
    const full = parts.length === 2 ? [parts[0], "public", parts[1]].join(".") : name;
    return [`${withPort}|${full}`.toLowerCase()];
  }
  let location: string;
  if (/^s3a?:\/\//i.test(ns)) location = `s3://${trimSlash(ns.replace(/^s3a?:\/\//i, ""))}/${name.replace(/^\/+/, "")}`;
  else if (/^file:\/\//i.test(ns) || ns === "file" || ns.startsWith("/"))
    location = name.startsWith("/") ? name : `${trimSlash(ns.replace(/^file:\/\//i, ""))}/${name}`;
  else return [];
  const keys: string[] = [];
  for (
    let at = trimSlash(location);
    at.length > 1 && at !== "s3:/";
    at = at.slice(0, Math.max(at.lastIndexOf("/"), 0))
  ) {
    keys.push(`loc|${at}`);
    if (!at.includes("/")) break;
  }
  return keys;
}

/**
 * Which port an OpenLineage dataset is, from the servers of every current output port's contract.
 * Built in one query and kept until a contract version is published (the cheap key query says so).
 */
export class OpenLineagePortIndex {
  private built: { key: string; byKey: Map<string, PortMatch> } | undefined;

  constructor(private readonly q: Queryable) {}

  async lookup(): Promise<(namespace: string, name: string) => PortMatch | undefined> {
    const { rows: keyRows } = await this.q.query<{ key: string }>(
      `SELECT count(*)::text || '|' || coalesce(max(published_at)::text, '') AS key FROM contract_versions`,
    );
    const key = keyRows[0]?.key ?? "";
    if (this.built?.key !== key) {
      const { rows } = await this.q.query<PortRow>(
        `SELECT p.product_id AS "productId", p.name AS port, d.team_id AS "ownerTeam", v.document
         FROM ports p
         JOIN data_products d ON d.id = p.product_id
         JOIN contracts c ON c.id = p.contract_id
         JOIN contract_versions v ON v.contract_id = c.id AND v.version = c.version
         WHERE p.direction = 'output'`,
      );
      const byKey = new Map<string, PortMatch>();
      for (const row of rows) for (const [k, m] of entriesOf(row)) if (!byKey.has(k)) byKey.set(k, m);
      this.built = { key, byKey };
    }
    const { byKey } = this.built;
    return (namespace, name) => {
      for (const k of keysOf(namespace, name)) {
        const m = byKey.get(k);
        if (m) return m;
      }
      return undefined;
    };
  }
}
