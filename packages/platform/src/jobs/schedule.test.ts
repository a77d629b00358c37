import { describe, expect, it } from "vitest";
import { contractSchedule, currentSlot, currentSlotIn, defaultSchedule, parseCron, parseSchedule } from "./schedule.js";

const at = (iso: string) => new Date(iso);

describe("schedules", () => {
  it("reads the SLA frequency: cron when it has one, else value and unit, else hourly", () => {
    expect(
      contractSchedule({
        slaProperties: [{ property: "frequency", value: 1, unit: "d", scheduler: "cron", schedule: "0 5 * * *" }],
      }),
    ).toMatchObject({ kind: "cron", text: "0 5 * * *" });
    expect(contractSchedule({ slaProperties: [{ property: "frequency", value: 6, unit: "h" }] })).toEqual({
      kind: "interval",
      ms: 6 * 3_600_000,
      text: "6 h",
    });
    expect(contractSchedule({ slaProperties: [{ property: "freshness", value: 1, unit: "d" }] })).toBe(defaultSchedule);
    expect(contractSchedule({})).toBe(defaultSchedule);
    // Unreadable values fall back to the default rather than never testing.
    expect(contractSchedule({ slaProperties: [{ property: "frequency", value: "often", unit: "d" }] })).toBe(
      defaultSchedule,
    );
  });

  it("refuses schedules it cannot run, with the reason", () => {
    expect(parseSchedule("10 s")).toEqual({ error: '"10 s" is shorter than the minimum of 1 minute' });
    expect(parseSchedule("3 fortnights")).toEqual({ error: 'unknown unit "fortnights" (use s, m, h, d, w, mo, y)' });
    expect(parseCron("61 * * * *")).toEqual({ error: 'cron "61 * * * *": minute "61" is outside 0-59' });
    expect(parseCron("* * *")).toEqual({ error: 'cron "* * *" needs 5 fields (minute hour day month weekday)' });
    expect(parseCron("*/0 * * * *")).toMatchObject({ error: expect.stringContaining("outside") });
  });

  it("finds the slot a moment falls in (the last due time at or before it)", () => {
    const daily = parseCron("0 5 * * *");
    if ("error" in daily) throw new Error(daily.error);
    expect(currentSlot(daily, at("2025-03-10T04:59:00Z")).toISOString()).toBe("2025-03-09T05:00:00.000Z");
    expect(currentSlot(daily, at("2025-03-10T05:00:30Z")).toISOString()).toBe("2025-03-10T05:00:00.000Z");
    const weekdays = parseCron("30 */6 * * 1-5");
    if ("error" in weekdays) throw new Error(weekdays.error);
    // Sunday 2025-03-09: the last due time is Friday 18:30.
    expect(currentSlot(weekdays, at("2025-03-09T12:00:00Z")).toISOString()).toBe("2025-03-07T18:30:00.000Z");
    const yearly = parseCron("0 0 29 2 *");
    if ("error" in yearly) throw new Error(yearly.error);
    expect(currentSlot(yearly, at("2025-03-01T00:00:00Z")).toISOString()).toBe("2024-02-29T00:00:00.000Z");
    const hourly = parseSchedule("1 h");
    if ("error" in hourly) throw new Error(hourly.error);
    expect(currentSlot(hourly, at("2025-03-10T04:59:59Z")).toISOString()).toBe("2025-03-10T04:00:00.000Z");
  });

  it("reads a cron on a time zone's wall clock, summer and winter time alike", () => {
    const six = parseCron("0 6 * * *");
    if ("error" in six) throw new Error(six.error);
    // 06:00 in Amsterdam is 04:00 UTC in summer (CEST) and 05:00 UTC in winter (CET).
    expect(currentSlotIn(six, at("2026-07-01T05:30:00Z"), "Europe/Amsterdam").toISOString()).toBe(
      "2026-07-01T04:00:00.000Z",
    );
    expect(currentSlotIn(six, at("2026-07-01T03:30:00Z"), "Europe/Amsterdam").toISOString()).toBe(
      "2026-06-30T04:00:00.000Z",
    );
    expect(currentSlotIn(six, at("2026-01-15T05:30:00Z"), "Europe/Amsterdam").toISOString()).toBe(
      "2026-01-15T05:00:00.000Z",
    );
    // The day after the spring change, slot and now on either side of it.
    expect(currentSlotIn(six, at("2026-03-29T04:30:00Z"), "Europe/Amsterdam").toISOString()).toBe(
      "2026-03-29T04:00:00.000Z",
    );
    expect(currentSlotIn(six, at("2026-03-29T03:30:00Z"), "Europe/Amsterdam").toISOString()).toBe(
      "2026-03-28T05:00:00.000Z",
    );
    expect(currentSlotIn(six, at("2026-07-01T06:30:00Z"), "UTC").toISOString()).toBe("2026-07-01T06:00:00.000Z");
  });
});
