import { describe, expect, it } from "vitest";
import { usageSummary } from "./usage-summary.js";

const usage = (reads: number, rows: number, byConsumer: { consumer: string; reads: number }[] = []) => ({
  total: { reads, rows, bytes: rows * 10 },
  byConsumer: byConsumer.map((c) => ({ ...c, rows, bytes: rows * 10 })),
  recent: [],
});

describe("usageSummary", () => {
  it("says nobody read it only when the totals say so", () => {
    expect(usageSummary(usage(0, 0), "en")).toEqual({ kind: "unread" });
  });

  it("keeps the totals when the per-consumer list is withheld (a consumer's view)", () => {
    // observe leaves byConsumer empty for callers outside the owner team: reads happened all the same.
    expect(usageSummary(usage(1, 20), "en")).toEqual({ kind: "totals", line: "1 read · 20 rows · 200 B" });
  });

  it("lists the consumers when observe names them", () => {
    const s = usageSummary(usage(1234, 1, [{ consumer: "mia", reads: 1234 }]), "en");
    expect(s).toMatchObject({ kind: "per-consumer", line: "1,234 reads · 1 row · 10 B" });
    expect(s.kind === "per-consumer" && s.byConsumer.map((c) => c.consumer)).toEqual(["mia"]);
  });
});
