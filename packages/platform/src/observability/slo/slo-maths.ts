/**
 * The arithmetic of service level objectives (ADR 0039): an SLI is good events over all events in
 * a rolling window; the error budget is the bad events the target allows in it; a burn rate is how
 * fast a shorter window spends it (1 = exactly over the window, 14.4 = a 30-day budget in ~2 days).
 * Pure: the counts come from the store, the numbers here.
 */

export const burnWindows = ["1h", "6h", "24h"] as const;
export type BurnWindow = (typeof burnWindows)[number];

export const burnWindowSeconds: Record<BurnWindow, number> = { "1h": 3600, "6h": 6 * 3600, "24h": 24 * 3600 };

/** Good and total events of one window. */
export interface Tally {
  good: number;
  total: number;
}

/** The window's tally and the burn windows' tallies (each counted from now back). */
export interface SloCounts {
  window: Tally;
  recent: Record<BurnWindow, Tally>;
}

/** Multi-window, multi-burn-rate alerting (the SRE workbook's page condition, 30-day window). */
export const fastBurn = { "1h": 14.4, "6h": 6 } as const;

/** Below this share of budget left, a met objective is at risk. */
export const atRiskBudget = 0.25;

export type SloStatus = "met" | "at-risk" | "breached" | "unknown";

export interface SloFigures {
  sli: number | null;
  good: number;
  total: number;
  budget: { allowed: number; spent: number; remaining: number | null };
  burnRate: Record<BurnWindow, number | null>;
  status: SloStatus;
  /** The objective burns fast (page): the 1h and 6h rates both over fastBurn. */
  burning: boolean;
  reason: string | null;
}

const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * How fast a window's bad events spend the budget: its error ratio over the allowed error ratio.
 * Null when the window saw no event (nothing measured is not zero burn) or when the target allows
 * no error at all and there is one (an infinite rate JSON cannot carry: the objective is breached).
 */
export function burnRate(t: Tally, target: number): number | null {
  if (t.total === 0) return null;
  const bad = t.total - t.good;
  const allowed = 1 - target;
  if (allowed <= 0) return bad === 0 ? 0 : null;
  return round(bad / t.total / allowed);
}

/** The error budget of the window: bad events allowed, spent, and the share left (< 0 overspent). */
export function errorBudget(t: Tally, target: number): SloFigures["budget"] {
  const spent = t.total - t.good;
  const allowed = (1 - target) * t.total;
  const remaining = t.total === 0 ? null : allowed <= 0 ? (spent === 0 ? 1 : null) : round(1 - spent / allowed);
  return { allowed: round(allowed, 2), spent, remaining };
}

/**
 * An objective's figures from its counts. Unknown (with `unmeasured` as the reason) when the window
 * has no event; breached when the SLI is under the target; at risk when under a quarter of the
 * budget is left or it burns fast; else met.
 */
export function sloFigures(counts: SloCounts, target: number, unmeasured: string): SloFigures {
  const { good, total } = counts.window;
  const budget = errorBudget(counts.window, target);
  const rates = Object.fromEntries(burnWindows.map((w) => [w, burnRate(counts.recent[w], target)])) as Record<
    BurnWindow,
    number | null
  >;
  const hot = (w: keyof typeof fastBurn) => {
    const r = rates[w];
    const t = counts.recent[w];
    // A target allowing no error burns infinitely on the first bad event (its rate is null).
    return r === null ? t.total > t.good && 1 - target <= 0 : r >= fastBurn[w];
  };
  const burning = hot("1h") && hot("6h");
  if (total === 0)
    return { sli: null, good, total, budget, burnRate: rates, status: "unknown", burning: false, reason: unmeasured };
  const sli = round(good / total, 6);
  const status: SloStatus =
    sli < target
      ? "breached"
      : burning || (budget.remaining !== null && budget.remaining < atRiskBudget)
        ? "at-risk"
        : "met";
  const reason =
    status === "breached"
      ? `${total - good} of ${total} bad: ${round(100 * sli, 2)}% is under the ${round(100 * target, 3)}% objective`
      : status === "at-risk"
        ? burning
          ? `the error budget burns ${rates["1h"] ?? "∞"}× over the last hour and ${rates["6h"] ?? "∞"}× over 6 hours`
          : `${Math.max(0, round(100 * (budget.remaining ?? 0), 1))}% of the error budget is left`
        : null;
  return { sli, good, total, budget, burnRate: rates, status, burning, reason };
}

/** Counts of events (each at a time, good or bad) in the window and the burn windows before `now`. */
export function countEvents(events: readonly { at: Date; good: boolean }[], now: Date, windowDays: number): SloCounts {
  const tally = (seconds: number): Tally => {
    const from = now.getTime() - seconds * 1000;
    let good = 0;
    let total = 0;
    for (const e of events) {
      const t = e.at.getTime();
      if (t < from || t > now.getTime()) continue;
      total++;
      if (e.good) good++;
    }
    return { good, total };
  };
  return {
    window: tally(windowDays * 86_400),
    recent: { "1h": tally(3600), "6h": tally(6 * 3600), "24h": tally(24 * 3600) },
  };
}
