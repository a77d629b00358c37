import type { Observation } from "../api/types.js";
import { formatBytes, formatWhen } from "./format.js";

type PortVersions = NonNullable<Observation["data"]>[number];
type Version = PortVersions["history"][number];

const sources: Record<Version["source"], string> = {
  publish: "published with the product",
  ingest: "ingested",
  pipeline: "built by a pipeline",
  rollback: "an earlier version made current again",
  retention: "rows older than the retention removed",
};

/** One version as a line: `version 3 · published with the product · 1,000 rows · 12.3 kB · <when>`. */
export function versionLine(v: Version): string {
  const when = formatWhen(v.currentAt ?? v.createdAt);
  return `version ${v.version} · ${sources[v.source]} · ${v.rows.toLocaleString()} rows · ${formatBytes(v.bytes)} · ${when}`;
}

/** The ports that have versions on Quanta's storage, those with a current one first. */
export function portsWithVersions(o: Pick<Observation, "data">): PortVersions[] {
  const ports = (o.data ?? []).filter((p) => p.current !== null || p.history.length > 0);
  return [...ports.filter((p) => p.current), ...ports.filter((p) => !p.current)];
}
