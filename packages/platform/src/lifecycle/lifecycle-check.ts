import { ConflictError } from "@quanta/core";
import { publishEvent } from "../events/publish-event.js";
import { LifecycleStore } from "../harness/lifecycle-store.js";
import type { Lake } from "../lake/lake.js";
import { incidentAudience } from "../observability/incident-audience.js";
import { clear, type IncidentSeverity, quantaActor, raise } from "../observability/incidents.js";
import { forgetProduct } from "../registry/product-cache.js";
import type { Database } from "../storage/database.js";
import { type ProductDates, productDates, productPhase } from "./product-dates.js";
import { type ExpiredVersion, expireVersions } from "./retention.js";
import { type ExpiredRows, expireRows } from "./row-retention.js";

export type DateKind = "end-of-support" | "end-of-life";

/** A lifecycle date that passed, for a product (port null) or one of its ports. */
export interface PassedDate {
  productId: string;
  port: string | null;
  kind: DateKind;
  at: Date;
}

export interface LifecycleCheck {
  /** Dates this run announced (event and incident); a date another run announced is not listed. */
  announced: PassedDate[];
  /** Products whose registry status this run moved (`deprecated`, `retired`). */
  marked: { productId: string; status: string }[];
  expired: ExpiredVersion[];
  /** Rows older than a retention on its element column that left a port's current version. */
  rows: ExpiredRows[];
  /** Products past end of life this run stopped (no more tests, probes, ingest). */
  stopped: string[];
}

/** How long after a claim a missing incident is taken to be lost (its claimer stopped), not on its way. */
const healAfterMs = 60_000;

const severities: Record<DateKind, IncidentSeverity> = { "end-of-support": "medium", "end-of-life": "high" };
const fields = { "end-of-support": "endOfSupport", "end-of-life": "endOfLife" } as const;

/**
 * How long a passed end of life's incident stays open: the owner's notice that the product is now
 * a tombstone. After it, the incident resolves (a retirement is the plan, not a fault), so it
 * stops counting in `quanta_incidents_open` (ADR 0042).
 */
export const endOfLifeGraceMs = 7 * 86_400_000;

/** The registry status (ODPS `status`) a product at each phase shows in listings and search. */
const statusOf = { "end-of-support": "deprecated", "end-of-life": "retired" } as const;

/**
 * The dates of a product that passed: its own, and a port's own date that is earlier than the
 * product's (a date the port only inherits is the product's notice, not a second one).
 */
export function passedDates(p: ProductDates, now: Date): PassedDate[] {
  const passed: PassedDate[] = [];
  for (const kind of ["end-of-support", "end-of-life"] as const) {
    const own = p.dates[fields[kind]];
    if (own && own.getTime() <= now.getTime()) passed.push({ productId: p.productId, port: null, kind, at: own });
    for (const port of p.ports) {
      const at = port.own[fields[kind]];
      if (at && at.getTime() <= now.getTime() && (!own || at.getTime() < own.getTime()))
        passed.push({ productId: p.productId, port: port.port, kind, at });
    }
  }
  return passed;
}

const title = (d: PassedDate) =>
  `${d.port === null ? "" : `${d.port}: `}${d.kind === "end-of-life" ? "end of life" : "end of support"} passed on ${d.at.toISOString()}${d.kind === "end-of-life" ? "; no longer served" : "; reads carry a Deprecation header"}`;

/**
 * Announces a passed date once: the claim in `lifecycle_notices` and the event `product.<kind>` to
 * the owner and consumer teams in one transaction, then a `lifecycle` incident (deduplicated on
 * the date) by the replica whose claim won. N replicas may run this at once: one claim wins. A
 * claim whose incident never got opened (the process stopped in between) gets it on a later pass.
 */
async function announce(db: Database, d: PassedDate, now: Date): Promise<boolean> {
  const key = [d.productId, d.port ?? "", d.kind, d.at.toISOString()];
  const incidentKey = `${d.kind}:${d.at.toISOString()}`;
  const seen = await db.query<{ noticedAt: string }>(
    `SELECT noticed_at AS "noticedAt" FROM lifecycle_notices
     WHERE product_id = $1 AND port = $2 AND kind = $3 AND at = $4`,
    key,
  );
  let claimed = false;
  if (seen.rows.length === 0) {
    claimed = await db.transaction(async (tx) => {
      const won = await tx.query(
        `INSERT INTO lifecycle_notices (product_id, port, kind, at, noticed_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING product_id`,
        [...key, now.toISOString()],
      );
      if (won.rows.length === 0) return false;
      const event = await publishEvent(
        tx,
        {
          type: `product.${d.kind}`,
          subject: d.productId,
          actor: quantaActor,
          payload: { productId: d.productId, port: d.port, [fields[d.kind]]: d.at.toISOString() },
        },
        { teams: await incidentAudience(tx, d.productId, d.port) },
      );
      await tx.query(
        "UPDATE lifecycle_notices SET event_id = $5 WHERE product_id = $1 AND port = $2 AND kind = $3 AND at = $4",
        [...key, event.id],
      );
      return true;
    });
    if (!claimed) return false; // another replica claimed it just now and opens the incident
  } else {
    // The claimer opens the incident right after its claim: only a claim long settled without one is healed.
    const noticed = new Date(seen.rows[0]?.noticedAt as string).getTime();
    if (now.getTime() - noticed < healAfterMs) return false;
    const opened = await db.query(
      `SELECT 1 FROM incidents WHERE product_id = $1 AND coalesce(port, '') = $2 AND kind = 'lifecycle' AND key = $3`,
      [d.productId, d.port ?? "", incidentKey],
    );
    if (opened.rows.length > 0) return false;
  }
  await raise(db, {
    productId: d.productId,
    port: d.port,
    kind: "lifecycle",
    key: incidentKey,
    severity: severities[d.kind],
    title: title(d),
    detail: { date: d.kind, at: d.at.toISOString() },
    observedAt: now,
    startedAt: d.at,
  });
  return claimed;
}

const scopeOf = (port: string | null) => port ?? "";

/**
 * Resolves the product's open `lifecycle` incidents that no longer stand (ADR 0042): a date that
 * no longer applies (a new version moved it later, or dropped it); an end of support once an end
 * of life of the same scope (the port, or the whole product) passed, whose incident replaces it;
 * an end of life once its grace passed. Owners may resolve one earlier themselves.
 */
async function settle(db: Database, productId: string, passed: readonly PassedDate[], now: Date): Promise<void> {
  const { rows } = await db.query<{ port: string | null; key: string }>(
    `SELECT port, key FROM incidents WHERE product_id = $1 AND kind = 'lifecycle' AND state <> 'resolved' ORDER BY id`,
    [productId],
  );
  if (rows.length === 0) return;
  const standing = new Map(passed.map((d) => [`${scopeOf(d.port)}\n${d.kind}:${d.at.toISOString()}`, d]));
  const ended = (port: string | null) =>
    passed.some((d) => d.kind === "end-of-life" && (d.port === null || d.port === port));
  for (const r of rows) {
    const d = standing.get(`${scopeOf(r.port)}\n${r.key}`);
    const over =
      !d ||
      (d.kind === "end-of-support" && ended(d.port)) ||
      (d.kind === "end-of-life" && now.getTime() - d.at.getTime() >= endOfLifeGraceMs);
    if (over) await clear(db, { productId, port: r.port, kind: "lifecycle", key: r.key }, now);
  }
}

/**
 * One pass over every product's lifecycle at `now`: the dates that passed are announced (once),
 * the registry status follows the phase (`deprecated` after end of support, `retired` after end of
 * life: listings and search show it), and retention expires old rows (with an element) and old
 * port versions. Lifecycle incidents that no longer stand resolve. Idempotent; a product's
 * failure is logged and the others go on.
 */
export async function checkLifecycle(
  db: Database,
  lake: Lake,
  now: Date,
  log: (line: string) => void = () => {},
  /** `rows: false`: versions only, no scan of the data for rows past retention (the frequent pass). */
  options: { rows?: boolean } = {},
): Promise<LifecycleCheck> {
  const result: LifecycleCheck = { announced: [], marked: [], expired: [], rows: [], stopped: [] };
  for (const p of await productDates(db)) {
    try {
      const passed = passedDates(p, now);
      for (const d of passed) if (await announce(db, d, now)) result.announced.push(d);
      await settle(db, p.productId, passed, now);
      const phase = productPhase(p, now);
      if (phase === "end-of-life") {
        // A tombstone runs no contract tests and no probes: stopped (before its status says retired,
        // whose initial state would already be stopped), as a person would stop it. Starting it
        // again serves it only once a new version moves the end of life.
        const store = new LifecycleStore(db);
        const life = await store.get(p.productId);
        if (life.allowedActions.includes("stop")) {
          // Another replica stopping it first is a 409 here, and the same outcome.
          const stopped = await store.apply(p.productId, "stop", undefined, quantaActor).then(
            () => true,
            (e: unknown) => {
              if (e instanceof ConflictError) return false;
              throw e;
            },
          );
          if (stopped) result.stopped.push(p.productId);
        }
      }
      if (phase !== "supported") {
        const status = statusOf[phase];
        // A publish after this sets the document's status again; the next pass marks it anew.
        const { rowCount } = await db.query(
          `UPDATE data_products SET status = $2, revision = revision + 1, updated_at = now()
           WHERE id = $1 AND status <> $2 AND status <> 'retired'`,
          [p.productId, status],
        );
        if (rowCount === 1) {
          forgetProduct(db, p.productId);
          result.marked.push({ productId: p.productId, status });
        }
      }
      for (const port of p.ports) {
        const retention = port.dates.retention;
        if (!retention) continue;
        const scope = { productId: p.productId, port: port.port, team: p.team, retention };
        // Rows first: the version they leave is superseded, and expires below when it is old enough.
        if (options.rows ?? true) {
          // A column that cannot be read as a time (or data that cannot be read) stops only this.
          const rows = await expireRows(db, lake, scope, now).catch((e: unknown) => {
            log(`retention ${p.productId}.${port.port}: rows not expired: ${(e as Error)?.message ?? e}`);
            return undefined;
          });
          if (rows) result.rows.push(rows);
        }
        result.expired.push(...(await expireVersions(db, lake, scope, now)));
      }
    } catch (e) {
      log(`lifecycle ${p.productId}: ${(e as Error)?.message ?? e}`);
    }
  }
  return result;
}
