import { describe, expect, it } from "vitest";
import { serviceLevelBar } from "./service-level-bar.js";

// observe answers SLIs as percentages: `ratio: 100` is every run, `objective: 99.9` is 99.9 %.
describe("serviceLevelBar", () => {
  it("shows the API's percentages once, not multiplied again", () => {
    const bar = serviceLevelBar(100, 99.9);
    expect(bar).toEqual({ text: "100 %", objectiveText: "99.9 %", fill: 1, objectiveAt: bar.objectiveAt, met: true });
    expect(bar.objectiveAt).toBeCloseTo(0.999);
  });

  it("compares the value with the objective in the same unit", () => {
    expect(serviceLevelBar(98.5, 99.9)).toMatchObject({ text: "98.5 %", met: false, fill: 0.985 });
    expect(serviceLevelBar(33.33, null)).toMatchObject({ text: "33.3 %", objectiveText: null, met: null });
  });

  it("says no data when nothing was measured, and keeps the bar inside its track", () => {
    expect(serviceLevelBar(null, 99)).toMatchObject({ text: "no data", fill: null, met: null, objectiveText: "99 %" });
    expect(serviceLevelBar(250, -5)).toMatchObject({ fill: 1, objectiveAt: 0 });
    expect(serviceLevelBar(Number.NaN, null)).toMatchObject({ text: "no data", fill: null });
  });
});
