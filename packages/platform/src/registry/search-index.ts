/**
 * The registry's in-memory search index (ADR 0018): an inverted index from full-text lexemes to
 * the products holding them, with the field each product holds it in. It answers matching,
 * ranking, filtering, totals and pagination without touching the store; `product-search.ts` keeps
 * it in step with the store and turns its answer into product rows.
 *
 * The lexemes are PostgreSQL's own (`to_tsvector('english', …)` of the product's search text), so
 * stemming is the database's and the query's words are stemmed the same way there.
 *
 * A posting is one int: `doc * 4 + field`, field 3 the name or id (weight A), 2 tags, glossary
 * terms or purpose (B), 1 schema object and property names (C), 0 any other description (D).
 * Postings lists are sorted by document, so AND and OR are linear merges. A query word's matches
 * are `doc * 8 + quality`, the field and whether it matched as typed or through a typo.
 */
import type { z } from "@hono/zod-openapi";
import type { FacetsSchema } from "./product-schema.js";

/** Where a lexeme occurs in a product, at best: 3 name or id, 2 tags/terms/purpose, 1 schema names, 0 prose. */
export type Field = 0 | 1 | 2 | 3;

/** What the index filters and sorts by. */
export interface ProductAttributes {
  id: string;
  name: string;
  domain: string | null;
  team: string | null;
  status: string;
  tags: readonly string[];
}

/** Calls `visit` once for each lexeme of a product, with the best field it occurs in. */
export type Terms = (visit: (lexeme: string, field: Field) => void) => void;

/** A product to index: its attributes and its lexemes. */
export interface IndexedProduct extends ProductAttributes {
  terms: Terms;
}

/**
 * The lexemes of a tsvector's text form (`'air':1A,7 'it''s':3B`), each once (a tsvector holds
 * each lexeme once) with its best weight: A → 3, B → 2, C → 1, D (unmarked) → 0. Quotes inside a
 * lexeme are doubled, backslashes escaped. Read while indexing, so no product keeps a copy.
 */
export function tsvectorTerms(text: string): Terms {
  return (visit) => {
    let i = text.indexOf("'");
    while (i >= 0) {
      let j = i + 1;
      let escaped = false;
      for (; j < text.length; j++) {
        const ch = text.charCodeAt(j);
        if (ch === 92 /* \ */) {
          escaped = true;
          j++;
        } else if (ch === 39 /* ' */) {
          if (text.charCodeAt(j + 1) !== 39) break;
          escaped = true;
          j++;
        }
      }
      const raw = text.slice(i + 1, j);
      const lexeme = escaped ? raw.replace(/''/g, "'").replace(/\\(.)/g, "$1") : raw;
      let field: Field = 0;
      let k = j + 1;
      if (text.charCodeAt(k) === 58 /* : */) {
        for (k++; k < text.length && text.charCodeAt(k) !== 32; k++) {
          const w = text.charCodeAt(k);
          if (w === 65) field = 3;
          else if (w === 66 && field < 2) field = 2;
          else if (w === 67 && field < 1) field = 1;
        }
      }
      visit(lexeme, field);
      i = text.indexOf("'", k);
    }
  };
}

/** One way a query word can match: the lexemes a product must all hold (one word, or the parts of a joined word). */
export type Alternative = readonly string[];

/**
 * One query word: its own lexemes (`exact`) and what it may mean when the catalogue does not know
 * it (`near`: catalogue words near a typo, the parts of a joined word). A product matches the word
 * through any alternative; a near match scores less than an exact one in the same field.
 */
export interface QueryWord {
  exact: readonly Alternative[];
  near: readonly Alternative[];
}

export interface IndexFilter {
  domain?: string | undefined;
  team?: string | undefined;
  tag?: string | undefined;
  status?: string | undefined;
  /** Only these product ids (already resolved, e.g. the certified ones). */
  ids?: ReadonlySet<string> | undefined;
}

/** Per facet, its values with how many matches carry them. */
export type Facets = z.infer<typeof FacetsSchema>;

export interface IndexPage {
  ids: string[];
  /** Relevance per id when words were given. */
  scores?: number[];
  total: number;
}

/**
 * Relevance per field: a name hit is worth most, a mention in prose nothing (it still matches,
 * and sorts by name after every ranked hit). The score is 2 when every word hits the name or id,
 * plus the mean over the words of their best field's weight (3/4 of it through a typo): 0..3, a
 * name match above any mention.
 */
const fieldWeight: readonly number[] = [0, 0.2, 0.4, 1];
const nameField = 3;
/**
 * A word's match quality: `field * 2 + 1` exact, `field * 2` near (a typo or joined word), so the
 * best of a word's alternatives is the highest. A near match weighs 3/4 of an exact one in the same
 * field: a product spelt as asked ranks above one found through a typo, and a typo in the name
 * still ranks above a mention elsewhere.
 */
const qualityWeight: readonly number[] = fieldWeight.flatMap((w) => [w * 0.75, w]);

/** A growable, sorted list of postings. */
class Postings {
  data = new Int32Array(4);
  length = 0;

  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }

  add(posting: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const at = this.length === 0 || this.data[this.length - 1]! < posting ? this.length : this.find(posting >> 2);
    this.data.copyWithin(at + 1, at, this.length);
    this.data[at] = posting;
    this.length++;
  }

  trim(): void {
    if (this.data.length > this.length + (this.length >> 2) + 4) this.data = this.data.slice(0, this.length);
  }

  remove(doc: number): void {
    const at = this.find(doc);
    if (at < this.length && this.data[at]! >> 2 === doc) {
      this.data.copyWithin(at, at + 1, this.length);
      this.length--;
    }
  }

  /** The first position whose document is ≥ doc. */
  private find(doc: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.data[mid]! >> 2 < doc) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Documents in both lists, with the lower field (an alternative of several lexemes is as good as its weakest). */
function intersect(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(Math.min(a.length, b.length));
  let n = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const da = a[i]! >> 2;
    const db = b[j]! >> 2;
    if (da < db) i++;
    else if (da > db) j++;
    else out[n++] = Math.min(a[i++]!, b[j++]!);
  }
  return out.subarray(0, n);
}

/** Documents in either list, with the higher field (a word is as good as its best alternative). */
function union(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let n = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const da = a[i]! >> 2;
    const db = b[j]! >> 2;
    if (da < db) out[n++] = a[i++]!;
    else if (da > db) out[n++] = b[j++]!;
    else out[n++] = Math.max(a[i++]!, b[j++]!);
  }
  while (i < a.length) out[n++] = a[i++]!;
  while (j < b.length) out[n++] = b[j++]!;
  return out.subarray(0, n);
}

const empty = new Int32Array(0);

export class SearchIndex {
  private readonly docs = new Map<string, number>();
  private readonly products: ProductAttributes[] = [];
  /** Per document, the ids of its lexemes (to take it out of their lists when it changes). */
  private readonly termsOf: Int32Array[] = [];
  private readonly terms = new Map<string, number>();
  private readonly postings: Postings[] = [];
  /** Documents in listing order (lower-cased name, then id) and each document's place in it. */
  private byName: number[] = [];
  private nameRank: number[] = [];
  private nameKeys: string[] = [];
  /** Facet values by code, and each document's codes (-1: none). */
  private readonly codes = { domain: new Codes(), team: new Codes(), tag: new Codes(), status: new Codes() };
  private readonly domainCode: number[] = [];
  private readonly teamCode: number[] = [];
  private readonly statusCode: number[] = [];
  private readonly tagCodes: (readonly number[])[] = [];
  /** Term ids of the product being indexed. */
  private scratch = new Int32Array(256);
  /** Set by a large batch: the listing order is rebuilt before it is next used. */
  private orderStale = false;

  get size(): number {
    return this.docs.size;
  }

  has(id: string): boolean {
    return this.docs.has(id);
  }

  /** Adds or replaces products; after a large batch the listing order is sorted once, when next read. */
  upsert(products: readonly IndexedProduct[]): void {
    if (products.length > 256) this.orderStale = true;
    for (const p of products) this.upsertOne(p, !this.orderStale);
  }

  /**
   * The page of products matching every word (each through any of its alternatives) and the
   * filter, best first, then by name; without words, every product passing the filter by name.
   */
  search(words: readonly QueryWord[] | undefined, filter: IndexFilter, offset: number, limit: number): IndexPage {
    this.sortNames();
    const passes = this.filterOf(filter);
    if (words === undefined) return this.list(passes, offset, limit);
    const { docs, sums, allName, n, wordCount } = this.matches(words);
    // Sort keys: the score (coarse, 4 decimals) descending, then the listing order ascending.
    const keys = new Float64Array(n);
    let total = 0;
    const scale = 2 ** 24;
    for (let k = 0; k < n; k++) {
      const doc = docs[k]!;
      if (!passes(doc)) continue;
      const score = Math.round(((allName[k] ? 2 : 0) + sums[k]! / wordCount) * 10_000);
      keys[total++] = (30_000 - score) * scale + this.nameRank[doc]!;
    }
    const best = topKeys(keys.subarray(0, total), offset + limit).subarray(offset);
    const ids: string[] = [];
    const scores: number[] = [];
    for (const key of best) {
      const rank = key % scale;
      ids.push(this.products[this.byName[rank]!]!.id);
      scores.push((30_000 - (key - rank) / scale) / 10_000);
    }
    return { ids, scores, total };
  }

  /**
   * How many matches (of the words, or every product) carry each value of each facet, most first.
   * A facet is counted under every filter but its own, so a chosen value still shows the others.
   */
  facets(words: readonly QueryWord[] | undefined, filter: IndexFilter, top = 50): Facets {
    const keys = ["domain", "team", "tag", "status"] as const;
    // Values are counted by their code (see `codes`), in typed arrays: no string hashing per match.
    const counts = keys.map((k) => new Int32Array(this.codes[k].values.length));
    const tests = keys.map((k) => this.filterOf({ [k]: filter[k] }));
    const others = this.filterOf({ ids: filter.ids });
    const count = (doc: number) => {
      if (!others(doc)) return;
      let failed = -1;
      for (let f = 0; f < tests.length; f++) {
        if (tests[f]!(doc)) continue;
        if (failed >= 0) return; // fails two filters: counted under none
        failed = f;
      }
      const single = (f: number, code: number) => {
        if ((failed < 0 || failed === f) && code >= 0) counts[f]![code]!++;
      };
      single(0, this.domainCode[doc]!);
      single(1, this.teamCode[doc]!);
      single(3, this.statusCode[doc]!);
      if (failed < 0 || failed === 2) for (const code of this.tagCodes[doc]!) counts[2]![code]!++;
    };
    if (words === undefined) for (const doc of this.docs.values()) count(doc);
    else {
      const { docs, n } = this.matches(words);
      for (let k = 0; k < n; k++) count(docs[k]!);
    }
    const ranked = (f: number) => {
      const values = this.codes[keys[f]!].values;
      const out: { value: string; count: number }[] = [];
      counts[f]!.forEach((n, code) => {
        if (n > 0) out.push({ value: values[code]!, count: n });
      });
      return out.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1)).slice(0, top);
    };
    return { domain: ranked(0), team: ranked(1), tag: ranked(2), status: ranked(3) };
  }

  /** The documents holding every word (through any alternative), with their field sums and name flags. */
  private matches(words: readonly QueryWord[]) {
    const lists = words.map((w) => this.wordPostings(w)).sort((x, y) => x.length - y.length);
    const wordCount = lists.length;
    const first = lists[0] ?? empty;
    // Candidates are the shortest list's documents; each further word keeps those it also holds.
    const docs = new Int32Array(first.length);
    const sums = new Float64Array(first.length);
    const allName = new Uint8Array(first.length);
    for (let k = 0; k < first.length; k++) {
      const quality = first[k]! & 7;
      docs[k] = first[k]! >> 3;
      sums[k] = qualityWeight[quality]!;
      allName[k] = quality >> 1 === nameField ? 1 : 0;
    }
    let n = first.length;
    for (const list of lists.slice(1)) {
      let kept = 0;
      for (let k = 0, j = 0; k < n && j < list.length; ) {
        const d = list[j]! >> 3;
        if (d < docs[k]!) j++;
        else if (d > docs[k]!) k++;
        else {
          const quality = list[j]! & 7;
          docs[kept] = docs[k]!;
          sums[kept] = sums[k]! + qualityWeight[quality]!;
          allName[kept] = allName[k]! & (quality >> 1 === nameField ? 1 : 0);
          kept++;
          k++;
          j++;
        }
      }
      n = kept;
    }
    return { docs, sums, allName, n, wordCount };
  }

  private list(passes: (doc: number) => boolean, offset: number, limit: number): IndexPage {
    const ids: string[] = [];
    let total = 0;
    for (const doc of this.byName) {
      if (!passes(doc)) continue;
      if (total >= offset && ids.length < limit) ids.push(this.products[doc]!.id);
      total++;
    }
    return { ids, total };
  }

  private filterOf(f: IndexFilter): (doc: number) => boolean {
    const { domain, team, tag, status, ids } = f;
    if (domain === undefined && team === undefined && tag === undefined && status === undefined && !ids) {
      return () => true;
    }
    return (doc) => {
      const p = this.products[doc]!;
      return (
        (domain === undefined || p.domain === domain) &&
        (team === undefined || p.team === team) &&
        (status === undefined || p.status === status) &&
        (tag === undefined || p.tags.includes(tag)) &&
        (!ids || ids.has(p.id))
      );
    };
  }

  /**
   * A word's matches as `doc * 8 + quality` (see `qualityWeight`), sorted by document: the union of
   * its alternatives, each the intersection of its lexemes; per document the best quality.
   */
  private wordPostings(word: QueryWord): Int32Array {
    const exact = this.alternatives(word.exact);
    const near = this.alternatives(word.near);
    const out = new Int32Array(exact.length + near.length);
    let n = 0;
    let i = 0;
    let j = 0;
    const quality = (posting: number, bonus: number) => ((posting >> 2) << 3) + (posting & 3) * 2 + bonus;
    while (i < exact.length || j < near.length) {
      const de = i < exact.length ? exact[i]! >> 2 : Number.MAX_SAFE_INTEGER;
      const dn = j < near.length ? near[j]! >> 2 : Number.MAX_SAFE_INTEGER;
      if (de < dn) out[n++] = quality(exact[i++]!, 1);
      else if (dn < de) out[n++] = quality(near[j++]!, 0);
      else out[n++] = Math.max(quality(exact[i++]!, 1), quality(near[j++]!, 0));
    }
    return out.subarray(0, n);
  }

  /** Postings of any of the alternatives (`doc * 4 + field`, the best field per document). */
  private alternatives(alternatives: readonly Alternative[]): Int32Array {
    let out: Int32Array = empty;
    for (const lexemes of alternatives) {
      let alternative: Int32Array | undefined;
      for (const lexeme of lexemes) {
        const term = this.terms.get(lexeme);
        const list = term === undefined ? empty : this.postings[term]!.view();
        alternative = alternative ? intersect(alternative, list) : list;
      }
      if (alternative) out = out.length === 0 ? alternative : union(out, alternative);
    }
    return out;
  }

  private upsertOne(p: IndexedProduct, keepOrder: boolean): void {
    let doc = this.docs.get(p.id);
    const renamed = doc === undefined || this.products[doc]!.name !== p.name;
    if (doc === undefined) {
      doc = this.products.length;
      this.docs.set(p.id, doc);
    } else {
      for (const term of this.termsOf[doc]!) this.postings[term]!.remove(doc);
    }
    if (keepOrder && renamed) this.unplace(doc);
    const { terms, ...attributes } = p;
    this.products[doc] = attributes;
    this.domainCode[doc] = p.domain ? this.codes.domain.of(p.domain) : -1;
    this.teamCode[doc] = p.team ? this.codes.team.of(p.team) : -1;
    this.statusCode[doc] = p.status ? this.codes.status.of(p.status) : -1;
    this.tagCodes[doc] = p.tags.length === 0 ? noCodes : [...new Set(p.tags)].map((t) => this.codes.tag.of(t));
    this.nameKeys[doc] = p.name.toLowerCase();
    let k = 0;
    terms((lexeme, field) => {
      let term = this.terms.get(lexeme);
      if (term === undefined) {
        term = this.postings.length;
        this.terms.set(lexeme, term);
        this.postings.push(new Postings());
      }
      this.postings[term]!.add(doc * 4 + field);
      if (k === this.scratch.length) {
        const grown = new Int32Array(this.scratch.length * 2);
        grown.set(this.scratch);
        this.scratch = grown;
      }
      this.scratch[k++] = term;
    });
    this.termsOf[doc] = this.scratch.slice(0, k);
    if (keepOrder && renamed) this.place(doc);
  }

  private sortNames(): void {
    if (!this.orderStale) return;
    this.byName = [...this.docs.values()].sort((x, y) => this.compareNames(x, y));
    this.renumber(0);
    this.orderStale = false;
    // After a large batch (a start-up read), give back what growing the lists left unused.
    for (const list of this.postings) list.trim();
  }

  private compareNames(x: number, y: number): number {
    const a = this.nameKeys[x]!;
    const b = this.nameKeys[y]!;
    if (a !== b) return a < b ? -1 : 1;
    const ia = this.products[x]!.id;
    const ib = this.products[y]!.id;
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  }

  /** Takes a document out of the listing order (when it is there). */
  private unplace(doc: number): void {
    const rank = this.nameRank[doc];
    if (rank === undefined || this.byName[rank] !== doc) return;
    this.byName.splice(rank, 1);
    this.renumber(rank);
  }

  /** Puts a document into the listing order at its place. */
  private place(doc: number): void {
    let lo = 0;
    let hi = this.byName.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareNames(this.byName[mid]!, doc) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.byName.splice(lo, 0, doc);
    this.renumber(lo);
  }

  private renumber(from: number): void {
    for (let rank = from; rank < this.byName.length; rank++) this.nameRank[this.byName[rank]!] = rank;
  }
}

const noCodes: readonly number[] = [];

/** Small integer codes for the values of one facet. */
class Codes {
  readonly values: string[] = [];
  private readonly byValue = new Map<string, number>();

  of(value: string): number {
    let code = this.byValue.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.byValue.set(value, code);
    }
    return code;
  }
}

/** The k smallest keys in ascending order (all of them when there are fewer). */
function topKeys(keys: Float64Array, k: number): Float64Array {
  if (k >= keys.length || k > 512) return keys.sort().subarray(0, Math.min(k, keys.length));
  // A small sorted buffer: most keys lose to its largest and cost one comparison.
  const best = new Float64Array(k);
  let n = 0;
  for (const key of keys) {
    if (n === k && key >= best[k - 1]!) continue;
    let at = n === k ? k - 1 : n++;
    while (at > 0 && best[at - 1]! > key) {
      best[at] = best[at - 1]!;
      at--;
    }
    best[at] = key;
  }
  return best.subarray(0, n);
}
