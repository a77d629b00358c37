import type { Incident, IncidentSeverity, Me } from "../api/types.js";

export const severityRank: Record<IncidentSeverity, number> = { critical: 0, high: 1, medium: 2, low: 3 };

export const isActive = (i: Pick<Incident, "state">): boolean => i.state !== "resolved";

/**
 * A duration as people read it, two units at most: `42 s`, `3 min`, `2 h 5 min`, `3 d 4 h`.
 * "—" when there is none yet (an incident not notified has no time to notify).
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const units: [string, number][] = [
    ["d", 86400],
    ["h", 3600],
    ["min", 60],
    ["s", 1],
  ];
  const first = units.findIndex(([, size]) => s >= size);
  const [bigName, bigSize] = units[first] ?? ["s", 1];
  const big = Math.floor(s / bigSize);
  const parts = [`${big} ${bigName}`];
  const next = units[first + 1];
  if (next) {
    const small = Math.floor((s - big * bigSize) / next[1]);
    if (small > 0) parts.push(`${small} ${next[0]}`);
  }
  return parts.join(" ");
}

/** How long the incident has lasted: from its start to its resolution, or to now while active. */
export function incidentAgeSeconds(i: Pick<Incident, "startedAt" | "resolvedAt">, now: number): number | null {
  const start = Date.parse(i.startedAt);
  if (!Number.isFinite(start)) return null;
  const end = i.resolvedAt ? Date.parse(i.resolvedAt) : now;
  return Number.isFinite(end) ? Math.max(0, (end - start) / 1000) : null;
}

/** Active incidents first, then the most severe, then the newest. */
export function orderIncidents<T extends Pick<Incident, "state" | "severity" | "detectedAt">>(list: readonly T[]): T[] {
  return [...list].sort(
    (a, b) =>
      Number(isActive(b)) - Number(isActive(a)) ||
      (severityRank[a.severity] ?? 9) - (severityRank[b.severity] ?? 9) ||
      b.detectedAt.localeCompare(a.detectedAt),
  );
}

/**
 * Whether the signed-in user may acknowledge, comment on and resolve the product's incidents: a
 * member of the owner team, governance or an admin, as the platform decides (it answers 403 to
 * anyone else; the page only hides buttons that would be refused).
 */
export function canHandleIncidents(me: Pick<Me, "roles" | "teams"> | undefined, ownerTeam: string | null): boolean {
  if (!me) return false;
  if (me.roles.some((r) => r === "admin" || r === "governance")) return true;
  return ownerTeam !== null && me.teams.some((t) => t.team === ownerTeam);
}

const eventWords: Record<string, string> = {
  opened: "Opened",
  observed: "Seen again",
  notified: "Notified",
  acknowledged: "Acknowledged",
  commented: "Comment",
  escalated: "Severity raised",
  resolved: "Resolved",
  reopened: "Reopened",
};

/** The timeline's word for an event type; an unknown type is shown as it came. */
export const eventLabel = (type: string): string => eventWords[type] ?? type;

const kindWords: Record<string, string> = {
  "schema-drift": "schema drift",
  "volume-anomaly": "volume anomaly",
  freshness: "stale data",
  "check-failed": "check failed",
  unreadable: "unreadable data",
  lifecycle: "lifecycle date",
  "slo-burn": "SLO budget burning",
};

export const kindLabel = (kind: string): string => kindWords[kind] ?? kind;

export type IncidentStateFilter = "active" | "open" | "acknowledged" | "resolved" | "all";

/** The state filters of the incident list, in the order shown; `active` (open or acknowledged) first. */
export const incidentStateFilters: readonly { id: IncidentStateFilter; label: string }[] = [
  { id: "active", label: "Active" },
  { id: "open", label: "Open" },
  { id: "acknowledged", label: "Acknowledged" },
  { id: "resolved", label: "Resolved" },
  { id: "all", label: "All" },
];

/** The `?state=` of the incident list; anything unknown shows the active ones. */
export function incidentStateFilter(value: string | null | undefined): IncidentStateFilter {
  return incidentStateFilters.find((f) => f.id === value)?.id ?? "active";
}

/** The offset of `?page=` (1-based); a missing, malformed or absurd page is the first. */
export function pageOffset(page: string | null | undefined, size: number): number {
  if (!page || !/^\d{1,6}$/.test(page)) return 0;
  const n = Number(page);
  return n >= 1 ? (n - 1) * size : 0;
}
