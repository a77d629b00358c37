import { NotAllowedError, NotFoundError } from "@quanta/core";
import { hasRole, type Principal, teamRole } from "../identity/principal.js";
import { UnauthenticatedError } from "../identity/unauthenticated-error.js";
import type { Database, Queryable } from "../storage/database.js";
import { mean, percentile } from "./detect.js";
import type { TimelineType } from "./incident-timeline.js";

export type { TimelineType } from "./incident-timeline.js";

import {
  addTimeline,
  type IncidentKind,
  type IncidentSeverity,
  type IncidentState,
  publishIncident,
  withoutSampleValues,
} from "./incidents.js";

export interface Incident {
  id: number;
  productId: string;
  port: string | null;
  kind: IncidentKind;
  key: string;
  severity: IncidentSeverity;
  state: IncidentState;
  title: string;
  detail: Record<string, unknown>;
  startedAt: string;
  detectedAt: string;
  notifiedAt: string | null;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  occurrences: number;
  lastSeenAt: string;
  ttdSeconds: number | null;
  ttnSeconds: number | null;
  ttrSeconds: number | null;
}

export interface TimelineEntry {
  at: string;
  type: TimelineType;
  actor: string | null;
  text: string | null;
}

export interface IncidentFilter {
  product?: string | undefined;
  team?: string | undefined;
  state?: "open" | "acknowledged" | "resolved" | "active" | undefined;
  kind?: IncidentKind | undefined;
  limit: number;
  offset: number;
}

export interface Stat {
  p50: number | null;
  p95: number | null;
  mean: number | null;
}

export interface ServiceLevels {
  productId: string;
  windowDays: number;
  incidents: number;
  ttd: Stat;
  ttn: Stat;
  ttr: Stat;
}

const seconds = (from: string | null, to: string | null): number | null =>
  from === null || to === null ? null : Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

const columns = `i.id, i.product_id AS "productId", i.port, i.kind, i.key, i.severity, i.state, i.title, i.detail,
  i.started_at AS "startedAt", i.detected_at AS "detectedAt", i.notified_at AS "notifiedAt",
  i.acknowledged_at AS "acknowledgedAt", i.resolved_at AS "resolvedAt", i.resolved_by AS "resolvedBy",
  i.occurrences, i.last_seen_at AS "lastSeenAt", p.team_id AS "ownerTeam"`;

type Row = Omit<Incident, "ttdSeconds" | "ttnSeconds" | "ttrSeconds"> & { ownerTeam: string | null };

function toIncident(r: Row, sampleValues: boolean): Incident {
  const { ownerTeam: _, ...rest } = r;
  // A failed check's reason may quote offending values: the data itself, the owner team's to see only.
  const detail = sampleValues ? (r.detail ?? {}) : withoutSampleValues(r.detail ?? {});
  return {
    ...rest,
    id: Number(r.id),
    occurrences: Number(r.occurrences),
    detail,
    ttdSeconds: seconds(r.startedAt, r.detectedAt),
    ttnSeconds: seconds(r.detectedAt, r.notifiedAt),
    ttrSeconds: seconds(r.detectedAt, r.resolvedAt),
  };
}

/** Who may acknowledge, comment and resolve: the owner team, governance and admins. */
export function mayManage(p: Principal | undefined, ownerTeam: string | null): boolean {
  return hasRole(p, "admin") || hasRole(p, "governance") || teamRole(p, ownerTeam) !== undefined;
}

/** Who sees the data's own values (a failed check's samples, a column's min and max): the owner team and admins. */
export const seesValues = (p: Principal | undefined, ownerTeam: string | null): boolean =>
  hasRole(p, "admin") || teamRole(p, ownerTeam) !== undefined;

/** The longest window service levels are computed over, in days. */
export const maxWindowDays = 366;

/** Incidents as people read and handle them (issue 17). */
export class IncidentService {
  constructor(private readonly db: Database) {}

  private signedIn(p: Principal | undefined): asserts p is Principal {
    if (!p) throw new UnauthenticatedError("sign in (an API token or an OpenID Connect bearer token) first");
  }

  async list(filter: IncidentFilter, p: Principal | undefined): Promise<{ incidents: Incident[]; total: number }> {
    this.signedIn(p);
    const where = [
      "($1::text IS NULL OR i.product_id = $1)",
      "($2::text IS NULL OR p.team_id = $2)",
      `($3::text IS NULL OR i.state = $3 OR ($3 = 'active' AND i.state <> 'resolved'))`,
      "($4::text IS NULL OR i.kind = $4)",
    ].join(" AND ");
    const params = [filter.product ?? null, filter.team ?? null, filter.state ?? null, filter.kind ?? null];
    const { rows } = await this.db.query<Row>(
      `SELECT ${columns} FROM incidents i JOIN data_products p ON p.id = i.product_id WHERE ${where}
       ORDER BY i.detected_at DESC, i.id DESC LIMIT $5 OFFSET $6`,
      [...params, filter.limit, filter.offset],
    );
    const count = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM incidents i JOIN data_products p ON p.id = i.product_id WHERE ${where}`,
      params,
    );
    return {
      incidents: rows.map((r) => toIncident(r, seesValues(p, r.ownerTeam))),
      total: Number(count.rows[0]?.n ?? 0),
    };
  }

  private async row(q: Queryable, id: number, lock = false): Promise<Row> {
    const { rows } = await q.query<Row>(
      `SELECT ${columns} FROM incidents i JOIN data_products p ON p.id = i.product_id WHERE i.id = $1
       ${lock ? "FOR UPDATE OF i" : ""}`,
      [id],
    );
    if (!rows[0]) throw new NotFoundError(`no incident ${id}`);
    return rows[0];
  }

  async get(id: number, p: Principal | undefined): Promise<Incident & { timeline: TimelineEntry[] }> {
    this.signedIn(p);
    const r = await this.row(this.db, id);
    const { rows } = await this.db.query<TimelineEntry>(
      "SELECT at, type, actor, text FROM incident_timeline WHERE incident_id = $1 ORDER BY at, id",
      [id],
    );
    return { ...toIncident(r, seesValues(p, r.ownerTeam)), timeline: rows };
  }

  /** Runs `act` on the incident after checking the caller may handle it, in one transaction. */
  private async handle(
    id: number,
    p: Principal | undefined,
    what: string,
    act: (tx: Queryable, r: Row, actor: string) => Promise<void>,
  ): Promise<Incident> {
    this.signedIn(p);
    // Handling an incident changes it: a token limited to reading may not.
    if (p.scopes && !p.scopes.includes("write"))
      throw new NotAllowedError(
        `this token is limited to ${p.scopes.join(", ")}; to ${what} an incident needs the write scope`,
      );
    const actor = p.name || p.userId;
    await this.db.transaction(async (tx) => {
      const r = await this.row(tx, id, true);
      if (!mayManage(p, r.ownerTeam))
        throw new NotAllowedError(
          `only the owner team of ${r.productId} (${r.ownerTeam ?? "none"}), governance or an admin may ${what} its incidents`,
        );
      await act(tx, r, actor);
    });
    const after = await this.row(this.db, id);
    return toIncident(after, seesValues(p, after.ownerTeam));
  }

  acknowledge(id: number, p: Principal | undefined): Promise<Incident> {
    return this.handle(id, p, "acknowledge", async (tx, r, actor) => {
      if (r.state !== "open") return; // acknowledged already, or resolved: nothing to do, said by the state
      const at = new Date();
      await tx.query(
        "UPDATE incidents SET state = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3 WHERE id = $1",
        [id, at.toISOString(), actor],
      );
      await addTimeline(tx, id, "acknowledged", actor, null, at);
      await publishIncident(tx, "acknowledged", r, actor, { acknowledgedBy: actor });
    });
  }

  comment(id: number, p: Principal | undefined, text: string): Promise<Incident> {
    return this.handle(id, p, "comment on", async (tx, r, actor) => {
      await addTimeline(tx, id, "commented", actor, text);
      await publishIncident(tx, "commented", r, actor, { comment: text });
    });
  }

  resolve(id: number, p: Principal | undefined, note: string | undefined): Promise<Incident> {
    return this.handle(id, p, "resolve", async (tx, r, actor) => {
      if (r.state === "resolved") return;
      const at = new Date();
      await tx.query("UPDATE incidents SET state = 'resolved', resolved_at = $2, resolved_by = $3 WHERE id = $1", [
        id,
        at.toISOString(),
        actor,
      ]);
      await addTimeline(tx, id, "resolved", actor, note ?? null, at);
      await publishIncident(tx, "resolved", r, actor, { resolvedBy: actor, ...(note ? { note } : {}) });
    });
  }

  /** Time to detect, notify and repair of the product's incidents detected in the window. */
  async serviceLevels(productId: string, windowDays = 30): Promise<ServiceLevels> {
    const exists = await this.db.query("SELECT 1 FROM data_products WHERE id = $1", [productId]);
    if (exists.rows.length === 0) throw new NotFoundError(`no data product "${productId}"`);
    const { rows } = await this.db.query<Row>(
      `SELECT ${columns} FROM incidents i JOIN data_products p ON p.id = i.product_id
       WHERE i.product_id = $1 AND i.detected_at >= now() - make_interval(days => $2)`,
      [productId, windowDays],
    );
    const all = rows.map((r) => toIncident(r, false));
    const stat = (xs: (number | null)[]): Stat => {
      const v = xs.filter((x): x is number => x !== null);
      return { p50: percentile(v, 50), p95: percentile(v, 95), mean: mean(v) };
    };
    return {
      productId,
      windowDays,
      incidents: all.length,
      ttd: stat(all.map((i) => i.ttdSeconds)),
      ttn: stat(all.map((i) => i.ttnSeconds)),
      ttr: stat(all.map((i) => i.ttrSeconds)),
    };
  }
}
