/** Lifecycle status of a product or contract, coloured by what it means for a consumer. */
const statusTone: Record<string, string> = {
  active: "good",
  proposed: "info",
  draft: "info",
  development: "info",
  deprecated: "warn",
  retired: "bad",
  requested: "info",
  terminating: "warn",
  terminated: "neutral",
  rejected: "bad",
  authoritative: "good",
  curated: "good",
  raw: "info",
  certified: "good",
  "not-certified": "bad",
  "not-evaluated": "neutral",
  // Lifecycle states of the control interface.
  paused: "warn",
  stopped: "bad",
  // Contract test and check results.
  passed: "good",
  passing: "good",
  warning: "warn",
  failed: "bad",
  failing: "bad",
  error: "bad",
  skipped: "neutral",
  untested: "neutral",
};

export function StatusBadge({ status, label }: { status: string | null; label?: string }) {
  if (!status) return null;
  return <span className={`badge badge-${statusTone[status] ?? "neutral"}`}>{label ?? status}</span>;
}

export function Tag({ children }: { children: string }) {
  return <span className="tag">{children}</span>;
}
