import type { z } from "@hono/zod-openapi";
import { TeamRepository } from "../identity/team-repository.js";
import type { Lake } from "../lake/lake.js";
import type { VersionSummary } from "../lake/port-version-store.js";
import { ContractRepository } from "../registry/contract-repository.js";
import { arr, type Obj, obj, str } from "../registry/read.js";
import type { Registry } from "../registry/registry.js";
import type { Database } from "../storage/database.js";
import type { DiscoverySchema } from "./discovery-schema.js";
import type { LifecycleStore } from "./lifecycle-store.js";

export type Discovery = z.infer<typeof DiscoverySchema>;
export type DiscoveredContract = Discovery["contracts"][number];
/** A version of a port's data in the storage Quanta owns, as a consumer sees it. */
export type DataVersion = NonNullable<NonNullable<Discovery["ports"][number]["data"]>["current"]>;

const strOrNull = (v: unknown) => str(v) ?? null;

function descriptionOf(doc: Obj): Discovery["description"] {
  const d = doc.description;
  const o = obj(d);
  return o
    ? { purpose: strOrNull(o.purpose), usage: strOrNull(o.usage), limitations: strOrNull(o.limitations) }
    : { purpose: strOrNull(d), usage: null, limitations: null };
}

function glossaryOf(doc: Obj): Discovery["glossary"] {
  const entry = arr(doc.customProperties)
    .map(obj)
    .find((p) => p?.property === "glossary");
  return arr(entry?.value).flatMap((g) => {
    const o = obj(g);
    const term = str(o?.term);
    return term ? [{ term, definition: strOrNull(o?.definition), url: strOrNull(o?.url) }] : [];
  });
}

/** Every URL the product points at: its definitions, support channels and management ports. */
function linksOf(doc: Obj): Discovery["links"] {
  const defs = arr(doc.authoritativeDefinitions).flatMap((x) => {
    const o = obj(x);
    const url = str(o?.url);
    return url ? [{ rel: str(o?.type) ?? "definition", url, description: strOrNull(o?.description) }] : [];
  });
  const support = arr(doc.support).flatMap((x) => {
    const o = obj(x);
    const url = str(o?.url);
    return url
      ? [{ rel: `support:${str(o?.tool) ?? "channel"}`, url, description: strOrNull(o?.description ?? o?.channel) }]
      : [];
  });
  const management = arr(doc.managementPorts).flatMap((x) => {
    const o = obj(x);
    const url = str(o?.url);
    return url
      ? [
          {
            rel: `management:${str(o?.content) ?? str(o?.name) ?? "port"}`,
            url,
            description: strOrNull(o?.description),
          },
        ]
      : [];
  });
  return [...defs, ...support, ...management];
}

function contractOf(doc: Obj, id: string, publishedAt: string, ports: string[]): DiscoveredContract {
  return {
    id,
    name: strOrNull(doc.name),
    version: str(doc.version) ?? "",
    status: strOrNull(doc.status),
    publishedAt,
    ports,
    datasets: arr(doc.schema).flatMap((x) => {
      const o = obj(x);
      const name = str(o?.name);
      if (!o || !name) return [];
      return [
        {
          name,
          description: strOrNull(o.description),
          properties: arr(o.properties).flatMap((p) => {
            const q = obj(p);
            const pname = str(q?.name);
            if (!q || !pname) return [];
            return [
              {
                name: pname,
                businessName: strOrNull(q.businessName),
                description: strOrNull(q.description),
                logicalType: strOrNull(q.logicalType),
                physicalType: strOrNull(q.physicalType),
                required: q.required === true,
                primaryKey: q.primaryKey === true,
                classification: strOrNull(q.classification),
              },
            ];
          }),
        },
      ];
    }),
    sla: arr(doc.slaProperties).flatMap((x) => {
      const o = obj(x);
      const property = str(o?.property);
      return property
        ? [{ property, value: o?.value ?? null, unit: strOrNull(o?.unit), element: strOrNull(o?.element) }]
        : [];
    }),
  };
}

const dataVersion = (v: VersionSummary): DataVersion => ({
  version: v.version,
  state: v.state,
  source: v.source,
  at: v.currentAt ?? v.createdAt,
  rows: v.rows,
  bytes: v.bytes,
});

/** The discover interface: everything a consumer needs to decide whether and how to use a product. */
export async function discover(
  db: Database,
  registry: Registry,
  lifecycle: LifecycleStore,
  id: string,
  lake?: Lake,
): Promise<Discovery> {
  const product = await registry.product(id);
  const doc = product.document;
  const contracts = new ContractRepository(db);
  const discovered: DiscoveredContract[] = [];
  for (const c of product.contracts) {
    const version = await contracts.version(c.id, c.version);
    if (!version) continue;
    const ports = product.ports.filter((p) => p.contractId === c.id && p.direction === "output").map((p) => p.name);
    discovered.push(contractOf(obj(version.document) ?? {}, c.id, version.publishedAt, ports));
  }
  const teams = new TeamRepository(db);
  const [members, history] = product.team
    ? await Promise.all([teams.membersAt(product.team), teams.history(product.team)])
    : [[], []];
  const life = await lifecycle.get(id);
  // Versions that were readers' data; staged and failed ones are the owner's business (observe).
  const versions = lake ? await lake.versions.ports(db, id, { states: ["current", "superseded"] }) : undefined;
  const base = `/api/products/${encodeURIComponent(id)}`;
  return {
    id: product.id,
    name: product.name,
    version: product.version,
    status: product.status,
    domain: product.domain,
    summary: product.summary,
    tags: product.tags,
    description: descriptionOf(doc),
    lifecycle: { state: life.state, servesReads: life.servesReads },
    ports: versions
      ? product.ports.map((p) => {
          const v = versions.get(p.name);
          return {
            ...p,
            data: { current: v?.current ? dataVersion(v.current) : null, history: (v?.history ?? []).map(dataVersion) },
          };
        })
      : product.ports,
    contracts: discovered,
    glossary: glossaryOf(doc),
    owners: {
      team: product.team ? { id: product.team, name: strOrNull(obj(doc.team)?.name) } : null,
      members,
      history,
    },
    links: linksOf(doc),
    interfaces: {
      discover: `${base}/discover`,
      consume: `${base}/consume`,
      ingest: `${base}/ingest`,
      observe: `${base}/observe`,
      govern: `${base}/govern`,
      control: `${base}/control`,
    },
  };
}
