import { EventEmitter } from "node:events";
import type { StoredEvent } from "../audit/event-log.js";
import { hasRole, type Principal } from "../identity/principal.js";
import type { Queryable } from "../storage/database.js";
import { typeMatches } from "./event-types.js";

/** Who reads the feed: what decides which events they see (docs/events.md, "Who sees what"). */
export interface FeedReader {
  /** Admins: every event. */
  admin: boolean;
  /** Governance: every event but the private ones (tokens, users, roles) of others. */
  governance: boolean;
  userId: string | null;
  /** The reader's teams: the events addressed to them, and those about their products and agreements. */
  teams: string[];
}

export function readerOf(p: Principal): FeedReader {
  return {
    admin: hasRole(p, "admin"),
    governance: hasRole(p, "governance"),
    userId: p.userId ?? null,
    teams: [...new Set(p.teams.map((m) => m.team))],
  };
}

/** One team's view: only what is addressed to that team (its feed subscriptions apply on top). */
export function teamReader(team: string): FeedReader {
  return { admin: false, governance: false, userId: null, teams: [team] };
}

export interface FeedQuery {
  /** The position to read after (0: from the start). */
  after: number;
  limit: number;
  /** Bare-type patterns (`incident.*`); any of them. */
  types?: readonly string[] | undefined;
  subject?: string | undefined;
  /** Further per-event filter (a team's subscriptions). */
  accept?: ((e: StoredEvent) => boolean) | undefined;
}

export interface FeedPage {
  /** Oldest first, each at most once across pages. */
  events: StoredEvent[];
  /** Where the next read starts: the last position this read went past (events hidden from the reader included). */
  position: number;
  /** Whether more events are there already (read again at once from `position`). */
  more: boolean;
}

export interface FeedOptions {
  /**
   * The longest the feed waits for one transaction that holds an id below events already committed
   * (a stuck one must not stop the feed), counted from when this feed first found it holding
   * events back. An event its transaction commits after that wait is missed by readers already past it.
   */
  holdMaxMs?: number;
  /** Rows looked at per read at most, whatever the reader may see of them (bounds each read's work). */
  scanRows?: number;
}

const defaultHoldMaxMs = 60_000;
const defaultScanRows = 1_000;

/**
 * The event log as a feed of positions (ADR 0037). Ids are taken when a row is written but become
 * visible when its transaction commits, so a reader that went past id 11 while 10 was still being
 * written would never see 10. Each transaction that appends events holds, until it ends, a lock
 * keyed by the lowest id it can take, taken before its first id (migration 39). A read notes the
 * last id handed out, then the keys held, then reads the rows: it serves rows up to the one before
 * the lowest key held, and none handed out after it looked (their writers' locks may have come
 * later). A missing id below that is a rollback and is passed at once. So a position, once passed,
 * is never filled in behind the reader: each event comes once, unless a transaction holds the feed
 * back longer than `holdMaxMs`.
 */
export class EventFeed {
  private readonly holdMaxMs: number;
  private readonly scanRows: number;
  /** Since when each transaction (its floor key) has held events back, as this feed saw it. */
  private holding = new Map<string, number>();

  constructor(
    private readonly q: Queryable,
    options: FeedOptions = {},
  ) {
    this.holdMaxMs = options.holdMaxMs ?? defaultHoldMaxMs;
    this.scanRows = options.scanRows ?? defaultScanRows;
  }

  /** The floor: the lowest id a transaction still running may commit, and which ids were handed out. */
  private async floor(): Promise<{ handedOut: number; floor: number; blocked(id: number): void }> {
    // In this order: an id handed out before the first query has its writer's lock in the second.
    const { rows: seq } = await this.q.query<{ handed: string }>(
      "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END AS handed FROM events_id_seq",
    );
    // Migration 39's keys: two-key form, the first 0x51450000 + the id's high bits, the second its low 32.
    const { rows: held } = await this.q.query<{ key: string; tx: string }>(
      `SELECT (((classid::bigint - 1363476480) << 32) | objid::bigint)::text AS key, virtualtransaction AS tx
       FROM pg_locks
       WHERE locktype = 'advisory' AND objsubid = 2 AND classid::bigint BETWEEN 1363476480 AND 1365573631
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    const now = Date.now();
    const before = this.holding;
    const holding = new Map<string, number>();
    const waitFor: { key: string; lowest: number }[] = [];
    for (const h of held) {
      const key = `${h.tx}/${h.key}`;
      const since = before.get(key);
      if (since !== undefined) holding.set(key, since);
      if (since === undefined || now - since < this.holdMaxMs) {
        waitFor.push({ key, lowest: Number(h.key) });
      }
    }
    this.holding = holding;
    return {
      handedOut: Number(seq[0]?.handed ?? 0),
      floor: Math.min(Number.POSITIVE_INFINITY, ...waitFor.map((w) => w.lowest)),
      blocked: (id) => {
        for (const w of waitFor) if (w.lowest <= id && !holding.has(w.key)) holding.set(w.key, now);
      },
    };
  }

  async read(reader: FeedReader, query: FeedQuery): Promise<FeedPage> {
    const floor = await this.floor();
    const { rows } = await this.q.query<StoredEvent & { visible: boolean }>(
      `SELECT e.id, e.at, e.type, e.subject, e.actor, e.payload,
         CASE
           WHEN e.type ~ '^(token|user|role|secret)\\.' THEN ($3 OR e.subject = $5)
           WHEN $3 OR $4 THEN true
           ELSE (
             e.audience && $6::text[]
             OR e.subject = ANY($6::text[])
             OR EXISTS (SELECT 1 FROM data_products p
                        WHERE p.id IN (e.subject, e.payload->>'productId') AND p.team_id = ANY($6::text[]))
             OR EXISTS (SELECT 1 FROM agreements a
                        WHERE a.consumer_team = ANY($6::text[])
                          AND (a.id = e.subject
                               OR (a.product_id IN (e.subject, e.payload->>'productId')
                                   AND a.state IN ('requested', 'active', 'terminating'))))
             OR EXISTS (SELECT 1 FROM agreements a JOIN data_products p ON p.id = a.product_id
                        WHERE a.id = e.subject AND p.team_id = ANY($6::text[]))
             OR EXISTS (SELECT 1 FROM contracts c JOIN data_products p ON p.id = c.product_id
                        WHERE c.id = e.subject AND p.team_id = ANY($6::text[]))
           )
         END AS visible
       FROM events e WHERE e.id > $1 ORDER BY e.id LIMIT $2`,
      [query.after, this.scanRows, reader.admin, reader.governance, reader.userId, reader.teams],
    );
    const events: StoredEvent[] = [];
    let position = query.after;
    for (const [i, r] of rows.entries()) {
      const id = Number(r.id);
      // Handed out after the floor was read: read again (at once) to know its writers.
      if (id > floor.handedOut) return { events, position, more: true };
      // A transaction still running may commit an id below this one: go no further for now.
      if (id >= floor.floor) {
        floor.blocked(id);
        return { events, position, more: false };
      }
      position = id;
      const { visible, ...event } = r;
      if (!visible || !this.wanted(event, query)) continue;
      events.push({ ...event, id });
      if (events.length >= query.limit) {
        return { events, position, more: i < rows.length - 1 || rows.length === this.scanRows };
      }
    }
    return { events, position, more: rows.length === this.scanRows };
  }

  private wanted(e: StoredEvent, query: FeedQuery): boolean {
    if (query.types && query.types.length > 0 && !query.types.some((t) => typeMatches(t, e.type))) return false;
    if (query.subject !== undefined && e.subject !== query.subject) return false;
    return query.accept ? query.accept(e) : true;
  }
}

const appended = new EventEmitter();
appended.setMaxListeners(0);

/**
 * Tells this process's live readers that an event was written (they read the store again; a second
 * time shortly after, for one written in a transaction that had not committed yet). Other replicas'
 * events are found by the readers' polling.
 */
export function eventsAppended(): void {
  appended.emit("appended");
  setTimeout(() => appended.emit("appended"), 150).unref();
}

export function onEventsAppended(listener: () => void): () => void {
  appended.on("appended", listener);
  return () => appended.off("appended", listener);
}
