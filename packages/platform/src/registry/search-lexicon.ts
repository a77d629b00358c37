/**
 * The catalogue's words, in memory, for typo tolerance (ADR 0018): every distinct word of 3–60
 * letters or digits of the products' names, ids, tags, glossary terms and schema names (their
 * `search_words`, split as the `search_lexicon` trigger splits them). Words are only added, as in
 * that table: a word no product uses any more widens a query to nothing that matches.
 */

/** Edits tolerated in a word of this many characters: none below 3, 1 up to 5, 2 from 6 on. */
export function allowedEdits(length: number): number {
  return length < 3 ? 0 : length <= 5 ? 1 : 2;
}

/** At most this many catalogue words stand in for one misspelt word (the closest, most common ones). */
const maxNear = 4;
/** The parts of a joined word (`sealevel`) are catalogue words of at least this many characters. */
const minPart = 3;

let rows: [Int32Array, Int32Array, Int32Array] = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * Optimal string alignment distance (insertions, deletions, substitutions and transpositions of
 * neighbours each cost 1), or `max + 1` as soon as it must exceed `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const width = b.length + 1;
  if (rows[0].length < width) rows = [new Int32Array(width * 2), new Int32Array(width * 2), new Int32Array(width * 2)];
  // Three rows reused across calls: a lexicon scan compares thousands of words per query.
  let [before, previous, current] = rows;
  for (let j = 0; j < width; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let best = i;
    for (let j = 1; j < width; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1))
        d = Math.min(d, before[j - 2]! + 1);
      current[j] = d;
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    const spare = before;
    before = previous;
    previous = current;
    current = spare;
  }
  return Math.min(previous[b.length]!, max + 1);
}

/** `editDistance(a, b, 1) <= 1` in one pass without a table (short words are most of a lexicon). */
export function withinOneEdit(a: string, b: string): boolean {
  if (a.length < b.length) return withinOneEdit(b, a);
  if (a.length - b.length > 1) return false;
  let i = 0;
  while (i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === b.length) return true; // equal, or `a` is `b` plus one last character
  const rest = (x: number, y: number) => a.slice(x) === b.slice(y);
  if (a.length > b.length) return rest(i + 1, i); // one character of `a` deleted
  // Same length: one substitution, or two neighbours swapped.
  if (rest(i + 1, i + 1)) return true;
  return a.charCodeAt(i) === b.charCodeAt(i + 1) && a.charCodeAt(i + 1) === b.charCodeAt(i) && rest(i + 2, i + 2);
}

/** The words of a product's `search_words`, as the `search_lexicon` trigger splits them. */
export function lexiconWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 3 && w.length <= 60);
}

const hasDigit = (w: string) => /\p{N}/u.test(w);

export class SearchLexicon {
  /** Each word, with how many indexed products carried it (a product indexed again counts again: an estimate). */
  private readonly words = new Map<string, number>();
  /**
   * Words without digits by length: a word `d` edits away from a query word is at most `d` longer
   * or shorter. Ids, codes and numbers (`se0`, `2024`) are never what a typo meant.
   */
  private readonly byLength: string[][] = [];

  get size(): number {
    return this.words.size;
  }

  /** Adds the words of a product's `search_words`. */
  add(text: string): void {
    for (const w of new Set(lexiconWords(text))) {
      const seen = this.words.get(w);
      this.words.set(w, (seen ?? 0) + 1);
      if (seen !== undefined || hasDigit(w)) continue;
      const bucket = this.byLength[w.length];
      if (bucket) bucket.push(w);
      else this.byLength[w.length] = [w];
    }
  }

  has(word: string): boolean {
    return this.words.has(word);
  }

  /**
   * Catalogue words a misspelt `word` (letters only) may mean: those within its allowed edits
   * (`allowedEdits`), only of the fewest edits found (`levl` → `level`, not also every word two
   * edits away), and of those only the ones at least a tenth as common as the most common (a
   * catalogue of codes holds `lev` and `lvl` once each, `level` thousands of times); most common
   * first, then the longest common prefix, then alphabetically; at most 4.
   */
  near(word: string): string[] {
    // Numbers are not misspelt words: 2024 must not find 2025.
    const max = hasDigit(word) ? 0 : allowedEdits(word.length);
    if (max === 0) return [];
    const found: { w: string; d: number; n: number; prefix: number }[] = [];
    let fewest = max;
    for (let length = Math.max(minPart, word.length - max); length <= word.length + max; length++) {
      for (const w of this.byLength[length] ?? []) {
        if (w === word) continue;
        const d = max === 1 ? (withinOneEdit(word, w) ? 1 : 2) : editDistance(word, w, fewest);
        if (d > fewest) continue;
        fewest = d;
        let prefix = 0;
        while (prefix < w.length && w.charCodeAt(prefix) === word.charCodeAt(prefix)) prefix++;
        found.push({ w, d, n: this.words.get(w) ?? 0, prefix });
      }
    }
    const closest = found.filter((f) => f.d === fewest);
    const common = Math.max(0, ...closest.map((f) => f.n));
    return closest
      .filter((f) => f.n * 10 >= common)
      .sort((x, y) => y.n - x.n || y.prefix - x.prefix || (x.w < y.w ? -1 : x.w > y.w ? 1 : 0))
      .slice(0, maxNear)
      .map((f) => f.w);
  }

  /**
   * What `word` more likely means: for a word the catalogue does not know, every `near` word; for
   * one it knows, only those at least 10 times as common (`see`, once in a film's name, beside
   * `sea` in thousands of products), so a word spelt as the catalogue spells it is otherwise taken
   * as typed.
   */
  corrections(word: string): string[] {
    const n = this.words.get(word) ?? 0;
    return this.near(word).filter((w) => (this.words.get(w) ?? 0) >= 10 * n);
  }

  /** The ways a joined `word` splits into two catalogue words (`sealevel` → `sea` + `level`). */
  splits(word: string): [string, string][] {
    const out: [string, string][] = [];
    for (let at = minPart; at <= word.length - minPart; at++) {
      const left = word.slice(0, at);
      const right = word.slice(at);
      if (this.words.has(left) && this.words.has(right)) out.push([left, right]);
    }
    return out;
  }
}
