import { type ReactNode, useEffect, useRef, useState } from "react";
import { type ScrollEdge, scrollEdge, scrollHintText } from "../lib/scroll-edge.js";

/**
 * The box every wide table sits in: it scrolls sideways inside itself (the page never does) and,
 * when it has columns out of view, says so with a line above it and a shadow on the hidden side.
 * Phones hide scrollbars, so without the hint nothing shows there is more.
 */
export function TableWrap({ className, children }: { className?: string; children: ReactNode }) {
  const box = useRef<HTMLDivElement>(null);
  const [edge, setEdge] = useState<ScrollEdge>("none");
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const update = () => setEdge(scrollEdge(el));
    update();
    el.addEventListener("scroll", update, { passive: true });
    // The box changes width with the window, the table with its rows (a load, a filter).
    const resized = new ResizeObserver(update);
    resized.observe(el);
    if (el.firstElementChild) resized.observe(el.firstElementChild);
    return () => {
      el.removeEventListener("scroll", update);
      resized.disconnect();
    };
  }, []);
  return (
    <div className="table-box" data-scroll={edge}>
      {edge !== "none" && (
        <p className="scroll-hint" aria-hidden="true">
          {scrollHintText[edge]}
        </p>
      )}
      <div className="table-frame">
        <div ref={box} className={`table-wrap${className ? ` ${className}` : ""}`}>
          {children}
        </div>
      </div>
    </div>
  );
}
