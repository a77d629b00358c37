import type { Observation } from "../api/types.js";
import { formatBytes } from "./format.js";

type Usage = Observation["usage"];

/**
 * What a product's usage says, derived once from `observe` so the totals and the "nobody has read"
 * line can never disagree. `byConsumer` is only filled for the owner team, governance and admins:
 * an empty list with reads in the totals means "hidden from you", not "nobody".
 */
export type UsageSummary =
  | { kind: "unread" }
  | { kind: "totals"; line: string }
  | { kind: "per-consumer"; line: string; byConsumer: Usage["byConsumer"] };

/** `locale`: how numbers are written (default: the reader's). */
export function usageSummary(usage: Usage, locale?: string): UsageSummary {
  const count = (n: number, one: string, many: string) => `${n.toLocaleString(locale)} ${n === 1 ? one : many}`;
  const t = usage.total;
  if (t.reads === 0 && usage.byConsumer.length === 0) return { kind: "unread" };
  const line = `${count(t.reads, "read", "reads")} · ${count(t.rows, "row", "rows")} · ${formatBytes(t.bytes)}`;
  return usage.byConsumer.length > 0
    ? { kind: "per-consumer", line, byConsumer: usage.byConsumer }
    : { kind: "totals", line };
}
