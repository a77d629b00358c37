/**
 * Pairs the items of two lists (old, new) by keys tried in order: e.g. `id` first, then `name`.
 * Within one pass, items with the same key pair in order of appearance, which makes
 * "type + position" matching (quality rules, SLA entries) fall out of the same code.
 */
export type Keyer = (item: unknown, index: number) => string | undefined;

export interface MatchPass {
  key: Keyer;
  /** Refuses a pair found by this pass (e.g. two items whose different ids say they differ). */
  accept?: (before: unknown, after: unknown) => boolean;
}

export interface Matched {
  pairs: { before: number; after: number }[];
  removed: number[];
  added: number[];
}

export function matchItems(
  before: readonly unknown[],
  after: readonly unknown[],
  passes: readonly MatchPass[],
): Matched {
  const takenBefore = new Uint8Array(before.length);
  const takenAfter = new Uint8Array(after.length);
  const pairs: { before: number; after: number }[] = [];
  for (const pass of passes) {
    const byKey = new Map<string, { items: number[]; next: number }>();
    for (let i = 0; i < before.length; i++) {
      if (takenBefore[i]) continue;
      const k = pass.key(before[i], i);
      if (k === undefined) continue;
      const list = byKey.get(k);
      if (list) list.items.push(i);
      else byKey.set(k, { items: [i], next: 0 });
    }
    if (byKey.size === 0) continue;
    for (let j = 0; j < after.length; j++) {
      if (takenAfter[j]) continue;
      const k = pass.key(after[j], j);
      if (k === undefined) continue;
      const list = byKey.get(k);
      if (!list || list.next >= list.items.length) continue;
      const i = list.items[list.next] as number;
      if (pass.accept && !pass.accept(before[i], after[j])) continue;
      list.next++;
      takenBefore[i] = 1;
      takenAfter[j] = 1;
      pairs.push({ before: i, after: j });
    }
  }
  const removed: number[] = [];
  const added: number[] = [];
  for (let i = 0; i < before.length; i++) if (!takenBefore[i]) removed.push(i);
  for (let j = 0; j < after.length; j++) if (!takenAfter[j]) added.push(j);
  pairs.sort((a, b) => a.after - b.after);
  return { pairs, removed, added };
}
