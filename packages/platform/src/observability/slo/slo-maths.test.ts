import { describe, expect, it } from "vitest";
import { burnRate, countEvents, errorBudget, sloFigures } from "./slo-maths.js";

const none = { good: 0, total: 0 };

describe("SLO maths", () => {
  it("burns a 99.9% budget 14.4 times over when 1.44% of an hour's probes fail", () => {
    expect(burnRate({ good: 9856, total: 10_000 }, 0.999)).toBeCloseTo(14.4, 6);
    expect(burnRate({ good: 10, total: 10 }, 0.999)).toBe(0);
    expect(burnRate(none, 0.999)).toBeNull();
  });

  it("spends the window's budget: 8640 probes at 99.5% allow 43.2 failures", () => {
    expect(errorBudget({ good: 8640 - 10, total: 8640 }, 0.995)).toEqual({
      allowed: 43.2,
      spent: 10,
      remaining: 0.7685,
    });
    expect(errorBudget({ good: 8640 - 50, total: 8640 }, 0.995).remaining).toBeLessThan(0);
    expect(errorBudget(none, 0.995).remaining).toBeNull();
  });

  it("says unknown with the reason when nothing was measured, never met", () => {
    const f = sloFigures({ window: none, recent: { "1h": none, "6h": none, "24h": none } }, 0.95, "no probe yet");
    expect(f).toMatchObject({ status: "unknown", sli: null, reason: "no probe yet", burning: false });
  });

  it("is breached under the target, at risk on a fast burn or a low budget, else met", () => {
    const quiet = { "1h": none, "6h": none, "24h": none };
    expect(sloFigures({ window: { good: 90, total: 100 }, recent: quiet }, 0.95, "").status).toBe("breached");
    expect(sloFigures({ window: { good: 99, total: 100 }, recent: quiet }, 0.95, "").status).toBe("met");
    // 4 of 5 allowed failures spent: 20% of the budget left.
    expect(sloFigures({ window: { good: 96, total: 100 }, recent: quiet }, 0.95, "").status).toBe("at-risk");
    const hot = { "1h": { good: 0, total: 1 }, "6h": { good: 0, total: 1 }, "24h": { good: 0, total: 1 } };
    const f = sloFigures({ window: { good: 999, total: 1000 }, recent: hot }, 0.95, "");
    expect(f.burnRate).toEqual({ "1h": 20, "6h": 20, "24h": 20 });
    expect(f).toMatchObject({ status: "at-risk", burning: true });
    // The 6h window alone over 6 pages nobody: the 1h window must burn too.
    const cooling = { "1h": { good: 12, total: 12 }, "6h": { good: 0, total: 1 }, "24h": none };
    expect(sloFigures({ window: { good: 999, total: 1000 }, recent: cooling }, 0.95, "").burning).toBe(false);
  });

  it("counts events into the window and the burn windows before now", () => {
    const now = new Date("2026-12-03T12:00:00Z");
    const ago = (h: number, good: boolean) => ({ at: new Date(now.getTime() - h * 3600_000), good });
    const c = countEvents(
      [ago(0.5, false), ago(3, true), ago(12, true), ago(24 * 29, true), ago(24 * 31, false)],
      now,
      30,
    );
    expect(c.window).toEqual({ good: 3, total: 4 });
    expect(c.recent).toEqual({
      "1h": { good: 0, total: 1 },
      "6h": { good: 1, total: 2 },
      "24h": { good: 2, total: 3 },
    });
  });
});
