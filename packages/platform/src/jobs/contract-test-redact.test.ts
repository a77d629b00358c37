import { describe, expect, it } from "vitest";
import { redactResult } from "./contract-test.js";

describe("a contract test's result as stored", () => {
  it("carries no secret of the server in a check's reason or a profile's", () => {
    const source = { redact: (t: string) => t.replaceAll("s3cret-pw", "***") };
    const stored = redactResult(
      {
        result: "error",
        durationMs: 1,
        checks: [
          {
            key: "orders.rowCount",
            type: "rowCount",
            result: "error",
            reason: "connect to postgres://quanta:s3cret-pw@db failed",
          } as never,
        ],
        profiles: [
          { dataset: "orders", rows: null, columns: [], reason: "not introspected: password s3cret-pw refused" },
          { dataset: "lines", rows: 3, columns: [] },
        ],
      },
      source,
    );
    expect(JSON.stringify(stored)).not.toContain("s3cret-pw");
    expect(stored.profiles?.[0]?.reason).toBe("not introspected: password *** refused");
    expect(stored.profiles?.[1]).toEqual({ dataset: "lines", rows: 3, columns: [] });
  });
});
