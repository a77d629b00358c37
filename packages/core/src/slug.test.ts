import { describe, expect, it } from "vitest";
import { slugify, teamIdOf } from "./slug.js";

describe("slugify and teamIdOf", () => {
  it.each([
    ["Sales Ops", "sales-ops"],
    ["  My Orders! ", "my-orders"],
    ["Équipe Données", "equipe-donnees"],
    ["Émissions CO₂ (daily)", "emissions-co2-daily"],
    ["a--b__c", "a-b-c"],
    ["x".repeat(80), "x".repeat(63)],
    [`${"a".repeat(62)}-b`, "a".repeat(62)],
  ])("%s → %s", (text, slug) => {
    expect(slugify(text)).toBe(slug);
  });

  it("names a team `team` when nothing usable is left", () => {
    expect(teamIdOf("!!!")).toBe("team");
    expect(teamIdOf("Climate Analytics")).toBe("climate-analytics");
  });

  it("keeps the team ids the registry has always stored: no accent folding, no length cap", () => {
    expect(teamIdOf("Équipe Données")).toBe("quipe-donn-es");
    expect(teamIdOf("x".repeat(80))).toBe("x".repeat(80));
  });
});
