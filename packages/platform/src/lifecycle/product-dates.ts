import { type LifecycleDates, type Retention, readLifecycleDates } from "@quanta/core/lint";
import type { Queryable } from "../storage/database.js";

/** Where a product or port is in its life, at an instant. */
export type LifecyclePhase = "supported" | "end-of-support" | "end-of-life";

/** The lifecycle dates that apply to one output port: the product's and its contract's, the earlier of each. */
export interface PortDates {
  port: string;
  /** The dates as applied: the earlier of the product's and the contract's for each date. */
  dates: LifecycleDates;
  /** The dates the port's own contract declares (slaProperties). */
  own: LifecycleDates;
}

export interface ProductDates {
  productId: string;
  team: string | null;
  status: string;
  /** The dates the product itself declares (ODPS customProperties). */
  dates: LifecycleDates;
  ports: PortDates[];
}

const earlier = (a: Date | undefined, b: Date | undefined) =>
  a && b ? (a.getTime() <= b.getTime() ? a : b) : (a ?? b);

/** Dates a port applies: each the earlier of the product's and the contract's; retention the contract's first. */
export function mergeDates(product: LifecycleDates, contract: LifecycleDates): LifecycleDates {
  const merged: LifecycleDates = {};
  for (const key of ["generalAvailability", "endOfSupport", "endOfLife"] as const) {
    const at = earlier(product[key], contract[key]);
    if (at) merged[key] = at;
  }
  const retention: Retention | undefined = contract.retention ?? product.retention;
  if (retention) merged.retention = retention;
  return merged;
}

export function phaseAt(dates: LifecycleDates, now: Date): LifecyclePhase {
  if (dates.endOfLife && now.getTime() >= dates.endOfLife.getTime()) return "end-of-life";
  if (dates.endOfSupport && now.getTime() >= dates.endOfSupport.getTime()) return "end-of-support";
  return "supported";
}

/**
 * A product is a tombstone once its own end of life passed, or once every output port's did (a
 * product with no port left to serve).
 */
export function productPhase(p: ProductDates, now: Date): LifecyclePhase {
  const own = phaseAt(p.dates, now);
  if (own === "end-of-life") return own;
  const ports = p.ports.map((port) => phaseAt(port.dates, now));
  if (ports.length > 0 && ports.every((x) => x === "end-of-life")) return "end-of-life";
  return own;
}

interface Row {
  productId: string;
  team: string | null;
  status: string;
  custom: unknown;
  port: string | null;
  sla: unknown;
}

/**
 * The lifecycle dates of one product (or of every product) with its output ports, read from the
 * current product version's `customProperties` and each port's contract's `slaProperties` (the
 * version the port names, else the latest). What cannot be read is left out (lint refuses it at
 * publish); a product is never cut off by a date no one can read.
 */
export async function productDates(q: Queryable, productId?: string): Promise<ProductDates[]> {
  const { rows } = await q.query<Row>(
    `SELECT p.id AS "productId", p.team_id AS team, p.status, v.document->'customProperties' AS custom,
       po.name AS port, cv.document->'slaProperties' AS sla
     FROM data_products p
     JOIN product_versions v ON v.product_id = p.id AND v.version = p.version
     LEFT JOIN ports po ON po.product_id = p.id AND po.direction = 'output'
     LEFT JOIN LATERAL (
       SELECT document FROM contract_versions c
       WHERE c.contract_id = po.contract_id AND (po.version IS NULL OR c.version = po.version
         OR NOT EXISTS (SELECT 1 FROM contract_versions x WHERE x.contract_id = po.contract_id AND x.version = po.version))
       ORDER BY (c.version = po.version) DESC NULLS LAST, c.published_at DESC, c.version DESC LIMIT 1
     ) cv ON true
     WHERE $1::text IS NULL OR p.id = $1
     ORDER BY p.id, po.name`,
    [productId ?? null],
  );
  const byId = new Map<string, ProductDates>();
  for (const r of rows) {
    let p = byId.get(r.productId);
    if (!p) {
      p = {
        productId: r.productId,
        team: r.team,
        status: r.status,
        dates: readLifecycleDates(r.custom).dates,
        ports: [],
      };
      byId.set(r.productId, p);
    }
    if (r.port === null) continue;
    const own = readLifecycleDates(r.sla).dates;
    p.ports.push({ port: r.port, own, dates: mergeDates(p.dates, own) });
  }
  return [...byId.values()];
}
