export interface FoldedList<T> {
  shown: readonly T[];
  /** How many counted items the fold hides; 0 when the list is shown whole. */
  hidden: number;
}

/**
 * The head of a long list: its first `limit` counted items, each with the uncounted items after
 * it (the nested properties under a column), unless `open`. A fold that would hide a single item
 * is not worth a button, so such a list is shown whole.
 */
export function foldList<T>(
  items: readonly T[],
  limit: number,
  open: boolean,
  counts: (item: T) => boolean = () => true,
): FoldedList<T> {
  const total = items.filter(counts).length;
  if (open || total <= limit + 1) return { shown: items, hidden: 0 };
  let seen = 0;
  const end = items.findIndex((item) => counts(item) && ++seen > limit);
  return { shown: items.slice(0, end), hidden: total - limit };
}
