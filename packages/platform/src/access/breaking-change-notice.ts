import { publishEvent } from "../events/publish-event.js";
import type { Queryable } from "../storage/database.js";

/** The major number of a version (`2.1.0`, `v2`), or undefined when it has none. */
export const major = (v: string | null | undefined): number | undefined => {
  const m = /^v?(\d+)\./.exec(v ?? "");
  return m ? Number(m[1]) : undefined;
};

/**
 * After a publish stored new contract versions (inside its transaction): each agreement reading an
 * older major version of such a contract keeps reading it (its pinned version) until the consumer
 * accepts the new one or the agreement's notice period has passed, and its consumer team is told
 * (an event and the team's webhooks). Returns the agreements notified.
 */
export async function noticeBreakingChanges(
  q: Queryable,
  productId: string,
  contracts: readonly { id: string; version: string; created: boolean }[],
  actor: string | undefined,
): Promise<string[]> {
  const notified: string[] = [];
  for (const c of contracts) {
    const newMajor = major(c.version);
    if (!c.created || newMajor === undefined) continue;
    const { rows } = await q.query<{
      id: string;
      port: string;
      consumer_team: string;
      contract_version: string;
      notice_days: number;
      owner: string | null;
    }>(
      `UPDATE agreements a SET pending_version = $2, pending_until = now() + make_interval(days => a.notice_days),
         updated_at = now()
       WHERE a.contract_id = $1 AND a.state IN ('active', 'terminating')
         AND (a.notice_ends_at IS NULL OR a.notice_ends_at > now())
         AND split_part(ltrim(a.contract_version, 'v'), '.', 1) ~ '^[0-9]+$'
         AND split_part(ltrim(a.contract_version, 'v'), '.', 1)::int < $3
       RETURNING a.id, a.port, a.consumer_team, a.contract_version, a.notice_days,
         (SELECT team_id FROM data_products WHERE id = a.product_id) AS owner`,
      [c.id, c.version, newMajor],
    );
    for (const a of rows) {
      const payload = {
        productId,
        port: a.port,
        consumerTeam: a.consumer_team,
        contractId: c.id,
        servedVersion: a.contract_version,
        newVersion: c.version,
        noticeDays: a.notice_days,
        acceptUrl: `/api/agreements/${a.id}/accept-version`,
      };
      // The consumer has to act (accept before the notice ends): the agreement's own event reaches it.
      await publishEvent(
        q,
        { type: "agreement.version-pending", subject: a.id, actor, payload: { agreementId: a.id, ...payload } },
        { teams: [a.consumer_team] },
      );
      notified.push(a.id);
    }
    if (rows.length > 0) {
      await publishEvent(
        q,
        {
          type: "contract.breaking-change",
          subject: c.id,
          actor,
          payload: {
            productId,
            contractId: c.id,
            version: c.version,
            agreements: rows.map((r) => r.id),
            consumerTeams: [...new Set(rows.map((r) => r.consumer_team))].sort(),
          },
        },
        { owners: [productId], teams: rows.map((r) => r.consumer_team) },
      );
    }
  }
  return notified;
}
