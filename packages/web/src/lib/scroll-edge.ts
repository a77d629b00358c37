/** Where a box that scrolls sideways is: not scrollable, at its start, in the middle, or at its end. */
export type ScrollEdge = "none" | "start" | "middle" | "end";

/** What the reader is told about the hidden part, by where the box is. */
export const scrollHintText: Record<Exclude<ScrollEdge, "none">, string> = {
  start: "Scroll sideways for more columns →",
  middle: "← Scroll sideways for more columns →",
  end: "← Scroll back for the first columns",
};

/**
 * From the box's `scrollWidth`, `clientWidth` and `scrollLeft`. A pixel of slack absorbs subpixel
 * widths (zoom, fractional layouts) so a table that fits is never said to scroll; `scrollLeft` is
 * negative in right-to-left boxes, so its size counts.
 */
export function scrollEdge(box: { scrollWidth: number; clientWidth: number; scrollLeft: number }): ScrollEdge {
  const hidden = box.scrollWidth - box.clientWidth;
  if (hidden <= 1) return "none";
  const at = Math.abs(box.scrollLeft);
  if (at <= 1) return "start";
  if (at >= hidden - 1) return "end";
  return "middle";
}
