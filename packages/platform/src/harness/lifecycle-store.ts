import type { z } from "@hono/zod-openapi";
import { ConflictError, LockedError, NotFoundError } from "@quanta/core";
import { publishEvent } from "../events/publish-event.js";
import type { Database, Queryable } from "../storage/database.js";
import {
  allowedActions,
  type ControlAction,
  initialState,
  type LifecycleState,
  stateEffects,
  transitions,
} from "./lifecycle.js";
import type { LifecycleSchema, ProductConfigSchema } from "./lifecycle-schema.js";

/** Settings a product owner changes with `configure`. */
export type ProductConfig = z.infer<typeof ProductConfigSchema>;
export type Lifecycle = z.infer<typeof LifecycleSchema>;

function describe(
  productId: string,
  row: { state: LifecycleState; config: ProductConfig; updatedAt: string | null; updatedBy: string | null },
): Lifecycle {
  const effects = stateEffects[row.state];
  return {
    productId,
    ...row,
    servesReads: effects.servesReads,
    runsTests: effects.runsTests,
    allowedActions: allowedActions(row.state),
  };
}

/** Each product's lifecycle state; a product without a row has the initial state of its ODPS status. */
export class LifecycleStore {
  constructor(private readonly db: Database) {}

  async get(productId: string, q: Queryable = this.db): Promise<Lifecycle> {
    const { rows } = await q.query<{
      status: string;
      state: LifecycleState | null;
      config: ProductConfig | null;
      updatedAt: string | null;
      updatedBy: string | null;
    }>(
      `SELECT p.status, l.state, l.config, l.updated_at AS "updatedAt", l.updated_by AS "updatedBy"
       FROM data_products p LEFT JOIN product_lifecycle l ON l.product_id = p.id WHERE p.id = $1`,
      [productId],
    );
    const row = rows[0];
    if (!row) throw new NotFoundError(`no data product "${productId}"`);
    return describe(productId, {
      state: row.state ?? initialState(row.status),
      config: row.config ?? {},
      updatedAt: row.updatedAt,
      updatedBy: row.updatedBy,
    });
  }

  /** Products whose state runs scheduled contract tests, with their configuration. */
  async testable(): Promise<{ productId: string; config: ProductConfig }[]> {
    const { rows } = await this.db.query<{
      id: string;
      status: string;
      state: LifecycleState | null;
      config: ProductConfig | null;
    }>(
      `SELECT p.id, p.status, l.state, l.config FROM data_products p
       LEFT JOIN product_lifecycle l ON l.product_id = p.id ORDER BY p.id`,
    );
    return rows
      .filter((r) => stateEffects[r.state ?? initialState(r.status)].runsTests)
      .map((r) => ({ productId: r.id, config: r.config ?? {} }));
  }

  /**
   * Applies one control action in a transaction (row locked, so two concurrent actions cannot both
   * pass from the same state) and appends the event. An action the state does not allow is a 409
   * listing the allowed ones.
   */
  async apply(
    productId: string,
    action: ControlAction,
    config: ProductConfig | undefined,
    actor: string,
  ): Promise<Lifecycle> {
    return this.db.transaction(async (tx) => {
      const { rows: products } = await tx.query<{ status: string }>("SELECT status FROM data_products WHERE id = $1", [
        productId,
      ]);
      const product = products[0];
      if (!product) throw new NotFoundError(`no data product "${productId}"`);
      await tx.query(
        "INSERT INTO product_lifecycle (product_id, state) VALUES ($1, $2) ON CONFLICT (product_id) DO NOTHING",
        [productId, initialState(product.status)],
      );
      const { rows } = await tx.query<{ state: LifecycleState; config: ProductConfig }>(
        "SELECT state, config FROM product_lifecycle WHERE product_id = $1 FOR UPDATE",
        [productId],
      );
      const row = rows[0];
      if (!row) throw new NotFoundError(`no data product "${productId}"`);
      const before = row.state;
      const after = transitions[before][action];
      if (!after) {
        const allowed = allowedActions(before);
        throw new ConflictError(
          `cannot ${action} data product "${productId}": it ${stateEffects[before].why.replace(/;.*/, "")}; allowed: ${allowed.join(", ")}`,
          { code: "invalid-transition", details: { state: before, action, allowed } },
        );
      }
      const nextConfig = action === "configure" ? { ...row.config, ...(config ?? {}) } : row.config;
      const { rows: saved } = await tx.query<{ updatedAt: string }>(
        `UPDATE product_lifecycle SET state = $2, config = $3, updated_at = now(), updated_by = $4
         WHERE product_id = $1 RETURNING updated_at AS "updatedAt"`,
        [productId, after, JSON.stringify(nextConfig), actor],
      );
      await publishEvent(
        tx,
        {
          type: `product.${action === "configure" ? "configured" : "state-changed"}`,
          subject: productId,
          actor,
          payload: { action, from: before, to: after, ...(action === "configure" ? { config: nextConfig } : {}) },
        },
        { owners: [productId], consumersOf: [productId] },
      );
      return describe(productId, {
        state: after,
        config: nextConfig,
        updatedAt: saved[0]?.updatedAt ?? null,
        updatedBy: actor,
      });
    });
  }

  /** 409/423 when the product does not serve reads in its current state. */
  async requireReads(productId: string): Promise<Lifecycle> {
    const life = await this.get(productId);
    if (!life.servesReads) {
      const options = { code: `product-${life.state}`, details: { state: life.state } };
      const why = `data product "${productId}" ${stateEffects[life.state].why}`;
      throw life.state === "paused" ? new LockedError(why, options) : new ConflictError(why, options);
    }
    return life;
  }
}
