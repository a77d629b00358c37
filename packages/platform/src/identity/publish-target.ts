import type { PublishFolder } from "../registry/publish-folder.js";
import type { Queryable } from "../storage/database.js";
import { authorize, type PublishTarget } from "./authorize.js";
import type { Principal } from "./principal.js";

/**
 * What publishing `folder` would touch, for `authorize(…, "product.publish", …)`, read from the
 * store: the team owning the product now and whether the team the new version declares exists.
 * The folder adds only the product's id and the team it names; who is in which team is never taken
 * from it.
 */
export async function publishTarget(
  q: Queryable,
  folder: PublishFolder,
): Promise<PublishTarget & { revision: number | null }> {
  const { rows } = await q.query<{ owner: string | null; revision: number | null; declared: boolean }>(
    `SELECT p.team_id AS owner, p.revision, EXISTS (SELECT 1 FROM teams WHERE id = $2) AS declared
     FROM (SELECT 1) one LEFT JOIN data_products p ON p.id = $1`,
    [folder.id, folder.declaredTeam],
  );
  const row = rows[0];
  return {
    productId: folder.id,
    exists: row?.revision !== null && row?.revision !== undefined,
    ownerTeam: row?.owner ?? null,
    declaredTeam: folder.declaredTeam,
    declaredTeamExists: row?.declared ?? false,
    revision: row?.revision ?? null,
  };
}

/** A product's owner team, or undefined when there is no such product. */
export async function productRef(
  q: Queryable,
  id: string,
): Promise<{ id: string; ownerTeam: string | null } | undefined> {
  const { rows } = await q.query<{ team_id: string | null }>("SELECT team_id FROM data_products WHERE id = $1", [id]);
  return rows[0] ? { id, ownerTeam: rows[0].team_id } : undefined;
}

/**
 * Authorizes a publish (403 with the reason when the caller may not) and answers the product's
 * revision the decision was made on (null: a new product), so the publish can refuse to land on a
 * later one.
 */
export async function authorizePublish(
  q: Queryable,
  folder: PublishFolder,
  principal: Principal,
): Promise<number | null> {
  const { revision, ...target } = await publishTarget(q, folder);
  authorize(principal, "product.publish", target);
  return revision;
}
