import type { Queryable } from "../storage/database.js";

/** Policy evaluations: every verdict stored with the policy revision it used (certification's history). */
export class EvaluationStore {
  constructor(private readonly q: Queryable) {}

  /**
   * The products certified now at one of `levels` (the registry's `certification` filter): the
   * latest evaluation's level, while its tests are in their window.
   */
  async certified(levels: readonly string[]): Promise<Set<string>> {
    const { rows } = await this.q.query<{ product_id: string }>(
      `SELECT product_id FROM (
         SELECT DISTINCT ON (product_id) product_id, level, valid_until FROM policy_evaluations
         ORDER BY product_id, id DESC
       ) latest WHERE level = ANY($1::text[]) AND (valid_until IS NULL OR valid_until > now())`,
      [levels],
    );
    return new Set(rows.map((r) => r.product_id));
  }
}
