import type { Queryable } from "../../storage/database.js";
import type { BurnWindow } from "./slo-maths.js";
import { evaluateProduct } from "./slo-service.js";

/** One objective's figures as /metrics exposes them (ADR 0039, ADR 0040). */
export interface SloBurn {
  productId: string;
  port: string;
  property: string;
  target: number;
  /** Good events over all in the window, null when nothing was measured. */
  sli: number | null;
  /** How fast the error budget burns over the last hour: 1 spends it exactly over the window. */
  burnRate: number | null;
  /** The burn rate over each of the last 1, 6 and 24 hours (null: no event in it). */
  burnRates: Record<BurnWindow, number | null>;
  /** Share of the window's error budget left, 0..1 (negative when overspent). */
  budgetRemaining: number | null;
  status: string;
}

/** Each objective's burn rates and budget left, over every product with a contract on an output port. */
export async function sloBurn(q: Queryable, now = new Date()): Promise<SloBurn[]> {
  const { rows } = await q.query<{ id: string }>(
    "SELECT DISTINCT product_id AS id FROM ports WHERE direction = 'output' AND contract_id IS NOT NULL ORDER BY 1",
  );
  const out: SloBurn[] = [];
  for (const { id } of rows)
    for (const o of await evaluateProduct(q, id, { now }))
      out.push({
        productId: id,
        port: o.port,
        property: o.property,
        target: o.target,
        sli: o.sli,
        burnRate: o.burnRate["1h"],
        burnRates: o.burnRate,
        budgetRemaining: o.budget.remaining,
        status: o.status,
      });
  return out;
}
