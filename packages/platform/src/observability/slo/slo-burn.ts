import type { Queryable } from "../../storage/database.js";
import { evaluateProduct } from "./slo-service.js";

/** Each objective's burn rate and budget left, for /metrics (see ADR 0039). */
export async function sloBurn(q: Queryable): Promise<
  {
    productId: string;
    port: string;
    property: string;
    /** How fast the error budget burns over the last hour: 1 spends it exactly over the window. */
    burnRate: number | null;
    /** Share of the window's error budget left, 0..1 (negative when overspent). */
    budgetRemaining: number | null;
  }[]
> {
  const { rows } = await q.query<{ id: string }>(
    "SELECT DISTINCT product_id AS id FROM ports WHERE direction = 'output' AND contract_id IS NOT NULL ORDER BY 1",
  );
  const out = [];
  for (const { id } of rows)
    for (const o of await evaluateProduct(q, id))
      out.push({
        productId: id,
        port: o.port,
        property: o.property,
        burnRate: o.burnRate["1h"],
        budgetRemaining: o.budget.remaining,
      });
  return out;
}
