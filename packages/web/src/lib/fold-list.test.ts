import { describe, expect, it } from "vitest";
import { foldList } from "./fold-list.js";

describe("foldList", () => {
  const ten = Array.from({ length: 10 }, (_, i) => i);

  it("shows the first items of a long list and counts the rest", () => {
    expect(foldList(ten, 4, false)).toEqual({ shown: [0, 1, 2, 3], hidden: 6 });
  });

  it("shows the whole list when open, short, or when the fold would hide only one item", () => {
    expect(foldList(ten, 4, true)).toEqual({ shown: ten, hidden: 0 });
    expect(foldList(ten, 10, false)).toEqual({ shown: ten, hidden: 0 });
    expect(foldList(ten, 9, false)).toEqual({ shown: ten, hidden: 0 });
    expect(foldList(ten, 8, false)).toEqual({ shown: ten.slice(0, 8), hidden: 2 });
  });

  it("keeps nested rows with their column and counts columns only", () => {
    const rows = ["a", "b", "b.x", "b.y", "c", "d", "e"].map((name) => ({ name, top: !name.includes(".") }));
    const { shown, hidden } = foldList(rows, 2, false, (r) => r.top);
    expect(shown.map((r) => r.name)).toEqual(["a", "b", "b.x", "b.y"]);
    expect(hidden).toBe(3);
  });
});
