import { describe, expect, it } from "vitest";
import { allowedEdits, editDistance, lexiconWords, SearchLexicon, withinOneEdit } from "./search-lexicon.js";

describe("SearchLexicon", () => {
  const lexicon = new SearchLexicon();
  lexicon.add("sea level climate.sea-level");
  lexicon.add("level crossings lever levy sea_ice 2024 temperature_c ab");

  it("splits search words as the lexicon trigger does: 3–60 letters or digits, lower-cased", () => {
    expect(lexiconWords("Sea_Level climate.sea-level ab 2024")).toEqual([
      "sea",
      "level",
      "climate",
      "sea",
      "level",
      "2024",
    ]);
    expect(lexicon.has("ab")).toBe(false);
    expect(lexicon.size).toBe(9);
  });

  it("counts a swap of neighbours as one edit and stops past the allowed edits", () => {
    expect(editDistance("levl", "level", 1)).toBe(1);
    expect(editDistance("shipmnets", "shipments", 2)).toBe(1);
    expect(editDistance("sea", "see", 1)).toBe(1);
    expect(editDistance("crosings", "crossings", 2)).toBe(1);
    expect(editDistance("abc", "xyz", 1)).toBe(2);
    expect([2, 3, 5, 6, 12].map(allowedEdits)).toEqual([0, 1, 1, 2, 2]);
    // The one-pass test agrees with the table on every pair of some short words.
    const short = ["sea", "see", "sae", "seas", "ase", "level", "levl", "lvel", "elvel", "leve", "levels", "abc", "a"];
    for (const a of short)
      for (const b of short) expect(withinOneEdit(a, b), `${a} ${b}`).toBe(editDistance(a, b, 1) <= 1);
  });

  it("widens a short word by one edit, a longer one by two, only to the closest words", () => {
    expect(lexicon.near("levl")).toEqual(["level", "levy"]);
    expect(lexicon.near("see")).toEqual(["sea"]);
    // One edit away from `lever` and `level`; `levy` is two away and not also given.
    expect(lexicon.near("levet")).toEqual(["level", "lever"]);
    expect(lexicon.near("temprature")).toEqual(["temperature"]);
    expect(lexicon.near("levxx")).toEqual([]);
    expect(lexicon.near("se")).toEqual([]);
    expect(lexicon.near("2025")).toEqual([]);
  });

  it("prefers common words, and reads a known word as a typo only of a far more common one", () => {
    const counted = new SearchLexicon();
    for (let i = 0; i < 20; i++) counted.add("sea level");
    counted.add("see lev lvl");
    // `lev` and `lvl` are one edit from `levl` too, but 20 times rarer than `level`.
    expect(counted.near("levl")).toEqual(["level"]);
    expect(counted.corrections("see")).toEqual(["sea"]);
    expect(counted.corrections("sea")).toEqual([]);
    expect(counted.corrections("levl")).toEqual(["level"]);
  });

  it("reads a joined word as the two catalogue words it is made of", () => {
    expect(lexicon.splits("sealevel")).toEqual([["sea", "level"]]);
    expect(lexicon.splits("seaice")).toEqual([["sea", "ice"]]);
    expect(lexicon.splits("levelx")).toEqual([]);
  });
});
