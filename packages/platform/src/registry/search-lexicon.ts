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

/** At most this many catalogue words stand in for one misspelt word (the closest ones). */
const maxNear = 4;
/** The parts of a joined word (`sealevel`) are catalogue words of at least this many characters. */
const minPart = 3;

/**
 * Optimal string alignment distance (insertions, deletions, substitutions and transpositions of
 * neighbours each cost 1), or `max + 1` as soon as it must exceed `max`.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const width = b.length + 1;
  let before = new Int32Array(width); // row i - 2
  let previous = new Int32Array(width); // row i - 1
  let current = new Int32Array(width);
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
    [before, previous, current] = [previous, current, before];
  }
  return Math.min(previous[b.length]!, max + 1);
}

/** The words of a product's `search_words`, as the `search_lexicon` trigger splits them. */
export function lexiconWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 3 && w.length <= 60);
}

export class SearchLexicon {
  private readonly words = new Set<string>();
  /** Words by length: a word `d` edits away from a query word is at most `d` longer or shorter. */
  private readonly byLength: string[][] = [];

  get size(): number {
    return this.words.size;
  }

  /** Adds the words of a product's `search_words`. */
  add(text: string): void {
    for (const w of lexiconWords(text)) {
      if (this.words.has(w)) continue;
      this.words.add(w);
      const bucket = this.byLength[w.length];
      if (bucket) bucket.push(w);
      else this.byLength[w.length] = [w];
    }
  }

  has(word: string): boolean {
    return this.words.has(word);
  }

  /**
   * Catalogue words a misspelt `word` (letters only) may mean: those within its allowed edits (`allowedEdits`),
   * the fewest edits first, then the longest common prefix, then alphabetically; at most 4, and
   * only of the fewest edits found (`levl` → `level`, not also every word two edits away).
   */
  near(word: string): string[] {
    // Numbers are not misspelt words: 2024 must not find 2025.
    const max = /\p{N}/u.test(word) ? 0 : allowedEdits(word.length);
    if (max === 0) return [];
    const found: { w: string; d: number; prefix: number }[] = [];
    for (let length = Math.max(minPart, word.length - max); length <= word.length + max; length++) {
      for (const w of this.byLength[length] ?? []) {
        const d = editDistance(word, w, max);
        if (d > max || w === word) continue;
        let prefix = 0;
        while (prefix < w.length && w.charCodeAt(prefix) === word.charCodeAt(prefix)) prefix++;
        found.push({ w, d, prefix });
      }
    }
    const fewest = Math.min(...found.map((f) => f.d));
    return found
      .filter((f) => f.d === fewest)
      .sort((x, y) => y.prefix - x.prefix || (x.w < y.w ? -1 : x.w > y.w ? 1 : 0))
      .slice(0, maxNear)
      .map((f) => f.w);
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
