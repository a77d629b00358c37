import { describe, expect, it } from "vitest";
import { agreementOf } from "./agreement.test-helpers.js";
import { openRequests } from "./open-requests.js";

const agreement = (id: string, port: string, consumerTeam: string, state: string, requestedAt = "2026-01-01") =>
  agreementOf({ id, port, consumerTeam, state, requestedAt });

describe("openRequests", () => {
  it("names the ports a team already asked for, which a second request would only get a 409 for", () => {
    const open = openRequests(
      [
        agreement("a", "orders", "marketing", "requested"),
        agreement("b", "refunds", "marketing", "rejected"),
        agreement("c", "returns", "marketing", "terminating"),
        agreement("d", "refunds", "insurance", "active"),
      ],
      "sales.orders",
      "marketing",
    );
    expect([...open].map(([port, a]) => `${port}:${a.id}`)).toEqual(["orders:a", "returns:c"]);
  });

  it("ignores other products and ended agreements, and keeps the latest request of a port", () => {
    const other = { ...agreement("x", "orders", "marketing", "active"), productId: "sales.refunds" };
    const open = openRequests(
      [
        other,
        agreement("old", "orders", "marketing", "terminated", "2025-01-01"),
        agreement("y", "orders", "marketing", "active", "2026-01-01"),
        agreement("z", "orders", "marketing", "requested", "2026-02-01"),
      ],
      "sales.orders",
      "marketing",
    );
    expect(open.get("orders")?.id).toBe("z");
    expect(open.size).toBe(1);
  });
});
