import { describe, expect, it } from "vitest";
import { productSections, sectionOfHash } from "./product-sections.js";

describe("sectionOfHash", () => {
  it("opens each section by its own hash", () => {
    for (const s of productSections) expect(sectionOfHash(`#${s.id}`)).toEqual({ section: s.id });
  });

  it("opens the overview for no hash or an unknown one", () => {
    expect(sectionOfHash("")).toEqual({ section: "overview" });
    expect(sectionOfHash("#nothing-here")).toEqual({ section: "overview" });
    expect(sectionOfHash("#%E0%A4%A")).toEqual({ section: "overview" });
  });

  it("keeps the anchors of the one-page layout: the section holding them, and where to scroll", () => {
    expect(sectionOfHash("#access")).toEqual({ section: "use", anchor: "access" });
    expect(sectionOfHash("#team")).toEqual({ section: "overview", anchor: "team" });
    expect(sectionOfHash("#ports")).toEqual({ section: "schema", anchor: "ports" });
    expect(sectionOfHash("#incidents")).toEqual({ section: "monitoring", anchor: "incidents" });
  });
});
