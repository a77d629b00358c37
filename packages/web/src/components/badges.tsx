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
};

export function StatusBadge({ status }: { status: string | null }) {
  if (!status) return null;
  return <span className={`badge badge-${statusTone[status] ?? "neutral"}`}>{status}</span>;
}

export function Tag({ children }: { children: string }) {
  return <span className="tag">{children}</span>;
}
