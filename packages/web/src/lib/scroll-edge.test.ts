import { describe, expect, it } from "vitest";
import { scrollEdge } from "./scroll-edge.js";

describe("scrollEdge", () => {
  it("says a box that fits does not scroll, subpixel widths included", () => {
    expect(scrollEdge({ scrollWidth: 390, clientWidth: 390, scrollLeft: 0 })).toBe("none");
    expect(scrollEdge({ scrollWidth: 390.6, clientWidth: 390, scrollLeft: 0 })).toBe("none");
  });

  it("follows the reader from the start to the end of a wide table", () => {
    const box = { scrollWidth: 900, clientWidth: 360 };
    expect(scrollEdge({ ...box, scrollLeft: 0 })).toBe("start");
    expect(scrollEdge({ ...box, scrollLeft: 200 })).toBe("middle");
    expect(scrollEdge({ ...box, scrollLeft: 539.5 })).toBe("end");
  });

  it("reads right-to-left boxes, whose scrollLeft is negative", () => {
    expect(scrollEdge({ scrollWidth: 900, clientWidth: 360, scrollLeft: -540 })).toBe("end");
    expect(scrollEdge({ scrollWidth: 900, clientWidth: 360, scrollLeft: -100 })).toBe("middle");
  });
});
