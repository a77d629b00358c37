import { describe, expect, it } from "vitest";
import type { Incident } from "../api/types.js";
import {
  canHandleIncidents,
  eventLabel,
  formatDuration,
  incidentAgeSeconds,
  incidentStateFilter,
  kindLabel,
  orderIncidents,
  pageOffset,
} from "./incidents.js";

const incident = (over: Partial<Incident>): Incident => ({
  id: 1,
  productId: "sales.orders",
  port: "orders",
  kind: "freshness",
  key: "orders",
  severity: "medium",
  state: "open",
  title: "stale",
  detail: {},
  startedAt: "2026-12-01T10:00:00Z",
  detectedAt: "2026-12-01T10:05:00Z",
  notifiedAt: null,
  acknowledgedAt: null,
  resolvedAt: null,
  resolvedBy: null,
  occurrences: 1,
  lastSeenAt: "2026-12-01T10:05:00Z",
  ttdSeconds: 300,
  ttnSeconds: null,
  ttrSeconds: null,
  ...over,
});

describe("formatDuration", () => {
  it("says durations in at most two units", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(42.4)).toBe("42 s");
    expect(formatDuration(60)).toBe("1 min");
    expect(formatDuration(185)).toBe("3 min 5 s");
    expect(formatDuration(7500)).toBe("2 h 5 min");
    expect(formatDuration(7200)).toBe("2 h");
    expect(formatDuration(3 * 86400 + 4 * 3600 + 59)).toBe("3 d 4 h");
    expect(formatDuration(86400 + 60)).toBe("1 d");
  });

  it("has a dash for a time not reached yet, and no negative durations", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(undefined)).toBe("—");
    expect(formatDuration(Number.NaN)).toBe("—");
    expect(formatDuration(-5)).toBe("0 s");
  });
});

describe("incidents", () => {
  it("orders active incidents first, then by severity, then newest", () => {
    const list = [
      incident({ id: "old-low", severity: "low", detectedAt: "2026-12-01T00:00:00Z" }),
      incident({ id: "resolved-critical", severity: "critical", state: "resolved" }),
      incident({ id: "ack-high", severity: "high", state: "acknowledged" }),
      incident({ id: "new-low", severity: "low", detectedAt: "2026-12-02T00:00:00Z" }),
    ];
    expect(orderIncidents(list).map((i) => i.id)).toEqual(["ack-high", "new-low", "old-low", "resolved-critical"]);
  });

  it("measures the age to the resolution, or to now while active", () => {
    const now = Date.parse("2026-12-01T12:00:00Z");
    expect(incidentAgeSeconds(incident({}), now)).toBe(7200);
    expect(incidentAgeSeconds(incident({ resolvedAt: "2026-12-01T10:30:00Z" }), now)).toBe(1800);
    expect(incidentAgeSeconds(incident({ startedAt: "garbage" }), now)).toBeNull();
  });

  it("lets the owner team, governance and admins handle incidents, nobody else", () => {
    const member = { roles: [], teams: [{ team: "sales", role: "member" as const }] };
    expect(canHandleIncidents(member, "sales")).toBe(true);
    expect(canHandleIncidents(member, "finance")).toBe(false);
    expect(canHandleIncidents(member, null)).toBe(false);
    expect(canHandleIncidents({ roles: ["governance"], teams: [] }, "finance")).toBe(true);
    expect(canHandleIncidents({ roles: ["admin"], teams: [] }, null)).toBe(true);
    expect(canHandleIncidents({ roles: ["consumer"], teams: [] }, "sales")).toBe(false);
    expect(canHandleIncidents(undefined, "sales")).toBe(false);
  });

  it("names events and kinds in words, unknown ones as they came", () => {
    expect(eventLabel("acknowledged")).toBe("Acknowledged");
    expect(eventLabel("something-new")).toBe("something-new");
    expect(kindLabel("volume-anomaly")).toBe("volume anomaly");
    expect(kindLabel("x")).toBe("x");
  });

  it("reads the list's state filter and page from the URL, hostile values as the defaults", () => {
    expect(incidentStateFilter("resolved")).toBe("resolved");
    expect(incidentStateFilter("all")).toBe("all");
    for (const bad of [null, undefined, "", "ACTIVE", "open'--", "__proto__", "constructor"])
      expect(incidentStateFilter(bad)).toBe("active");
    expect(pageOffset("3", 25)).toBe(50);
    expect(pageOffset("1", 25)).toBe(0);
    for (const bad of [null, "", "0", "-2", "1.5", "1e9", "9999999", "NaN", " 2"]) expect(pageOffset(bad, 25)).toBe(0);
  });
});
