import { type ReactNode, useState } from "react";
import { foldList } from "../lib/fold-list.js";

/**
 * A long list folded to its first `limit` items, with the button that unfolds it ("Show all 24
 * columns") and folds it again. `noun` is plural ("columns"); `counts` picks the items the limit
 * counts (the columns, not the nested properties under them).
 */
export function useFold<T>(
  items: readonly T[],
  limit: number,
  noun: string,
  counts?: (item: T) => boolean,
): { shown: readonly T[]; toggle: ReactNode } {
  const [open, setOpen] = useState(false);
  const folded = foldList(items, limit, false, counts);
  if (folded.hidden === 0) return { shown: items, toggle: null };
  const total = limit + folded.hidden;
  return {
    shown: open ? items : folded.shown,
    toggle: (
      <button type="button" className="button show-all" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? `Show the first ${limit} ${noun} only` : `Show all ${total} ${noun} (${folded.hidden} more)`}
      </button>
    ),
  };
}
