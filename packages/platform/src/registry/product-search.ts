import type { z } from "@hono/zod-openapi";
import { EvaluationStore } from "../governance/evaluation-store.js";
import type { Database } from "../storage/database.js";
import type { ProductQuery } from "./product-repository.js";
import type { ProductListSchema } from "./product-schema.js";
import { type Facets, type QueryWord, SearchIndex, tsvectorTerms } from "./search-index.js";
import { SearchLexicon } from "./search-lexicon.js";
import { type Horizon, type IndexRow, queryWords, SearchRepository } from "./search-repository.js";

export type ProductList = z.infer<typeof ProductListSchema>;

/** Changes listed, and products read, per query while the index catches up (bounded statements and memory). */
const changesPage = 10_000;
const fetchBatch = 2_000;

/**
 * Registry search (ADR 0018): the in-memory index of this process, kept in step with the store.
 *
 * Before answering, a search asks the store what changed since it last asked (one indexed query
 * that usually returns nothing) and reindexes those products, so a search sees every publish that
 * committed before it started, on this replica or any other. The first search (or `refresh()` at
 * start-up) reads the whole catalogue.
 */
export class ProductSearch {
  private readonly index = new SearchIndex();
  /** The catalogue's words, for typos and joined words. */
  private readonly lexicon = new SearchLexicon();
  /** The row version (writing transaction) indexed per product. */
  private readonly versions = new Map<string, string>();
  /** What the last pass's snapshot had not seen (undefined: the catalogue has not been read). */
  private horizon: Horizon | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly db: Database) {}

  get size(): number {
    return this.index.size;
  }

  /** True once the first pass has read the whole catalogue. */
  get ready(): boolean {
    return this.horizon !== undefined;
  }

  /**
   * Catches up with the store. Concurrent callers share one pass; a caller arriving while a pass
   * runs waits for the next one, which starts after it arrived and so sees what it committed.
   */
  refresh(): Promise<void> {
    if (!this.running) {
      this.running = this.catchUp().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.refresh();
      });
    return this.queued;
  }

  async search(query: ProductQuery): Promise<ProductList> {
    const repo = new SearchRepository(this.db);
    const { words, filter } = await this.prepare(repo, query);
    let page = this.index.search(words?.strict, filter, query.offset, query.limit);
    if (page.total === 0 && words) {
      const loose = await words.loose();
      if (loose) page = this.index.search(loose, filter, query.offset, query.limit);
    }
    const rows = await repo.summaries(page.ids);
    const scores = new Map(page.ids.map((id, k) => [id, page.scores?.[k]]));
    const items = rows.map((row) => {
      const score = scores.get(row.id);
      return score === undefined ? row : { ...row, score };
    });
    return { items, total: page.total };
  }

  /** Facet counts over every match of the query (see SearchIndex.facets), widened as `search` widens it. */
  async facets(query: Omit<ProductQuery, "limit" | "offset">): Promise<Facets> {
    const { words, filter } = await this.prepare(new SearchRepository(this.db), query);
    const loose = words && this.index.search(words.strict, filter, 0, 0).total === 0 ? await words.loose() : undefined;
    return this.index.facets(loose ?? words?.strict, filter);
  }

  /** Catches up, and turns the query into the index's words and filter. */
  private async prepare(repo: SearchRepository, query: Omit<ProductQuery, "limit" | "offset">) {
    const searching = query.q !== undefined && query.q.trim() !== "";
    // The catalogue's words a typo is corrected to are those of the products indexed: catch up first.
    const [words, certified] = await Promise.all([
      this.refresh().then(() => (searching ? this.queryWords(repo, query.q) : undefined)),
      query.certification ? new EvaluationStore(this.db).certified(query.certification) : undefined,
    ]);
    const filter = { domain: query.domain, team: query.team, tag: query.tag, status: query.status, ids: certified };
    return { words, filter };
  }

  /**
   * The query's words with their alternatives (ADR 0018). `strict`: a word the catalogue does not
   * know also matches the catalogue words a few edits away (1 for 3–5 letters, 2 from 6) and,
   * joined, the two catalogue words it is made of (`sealevel` → `sea` + `level`); a word it knows
   * only its far more common neighbours (`SearchLexicon.corrections`). `loose()`, asked only when
   * strict finds nothing, widens known words to every neighbour; undefined when it would be the
   * same. Words are stemmed by the database, a statement each; a stop word drops out.
   */
  private async queryWords(
    repo: SearchRepository,
    q: string | undefined,
  ): Promise<{ strict: QueryWord[]; loose: () => Promise<QueryWord[] | undefined> }> {
    const words = queryWords(q).map((word) => ({ word, known: this.lexicon.has(word) }));
    const alternatives = (word: string) => [...this.lexicon.near(word).map((w) => [w]), ...this.lexicon.splits(word)];
    const nearOf = new Map(
      words.map(({ word, known }) => [
        word,
        known ? this.lexicon.corrections(word).map((w) => [w]) : alternatives(word),
      ]),
    );
    const stems = new Map<string, string[]>();
    const stem = async (near: ReadonlyMap<string, string[][]>) => {
      const spelt = [...new Set([...words.map((w) => w.word), ...[...near.values()].flat(2)])].filter(
        (w) => !stems.has(w),
      );
      const lexemes = await repo.lexemes(spelt);
      for (const [i, word] of spelt.entries()) stems.set(word, lexemes[i] ?? []);
    };
    const build = (near: ReadonlyMap<string, string[][]>) =>
      words.flatMap(({ word }): QueryWord[] => {
        const own = stems.get(word) ?? [];
        if (own.length === 0) return [];
        const ways = (near.get(word) ?? []).map((parts) => parts.flatMap((p) => stems.get(p) ?? []));
        return [{ exact: [own], near: ways.filter((a) => a.length > 0) }];
      });
    await stem(nearOf);
    return {
      strict: build(nearOf),
      loose: async () => {
        const known = words.filter((w) => w.known).map((w): [string, string[][]] => [w.word, alternatives(w.word)]);
        const wider = known.filter(([word, near]) => near.length > (nearOf.get(word)?.length ?? 0));
        if (wider.length === 0) return undefined;
        const all = new Map([...nearOf, ...wider]);
        await stem(all);
        return build(all);
      },
    };
  }

  private async catchUp(): Promise<void> {
    const repo = new SearchRepository(this.db);
    const previous = this.horizon;
    if (previous === undefined) {
      // The first pass reads the catalogue in id order. What commits meanwhile was not seen by
      // the snapshot taken first, so the next pass reads it again.
      const horizon = await repo.horizon();
      for (let after = ""; ; ) {
        const rows = await repo.indexRowsAfter(after, fetchBatch);
        this.reindex(rows);
        const last = rows.at(-1);
        if (!last || rows.length < fetchBatch) break;
        after = last.id;
      }
      this.horizon = horizon;
      return;
    }
    // Later passes list what the previous horizon had not seen, in pages of (version, id): first
    // the transactions from its xmax on (the first page's snapshot is the next horizon), then
    // those that were still running. The first page is one row: a pass usually finds nothing,
    // and a limit of one keeps the planner on the index even without statistics (PGlite never
    // analyzes); pages grow when there is more.
    let after = { version: previous.xmax, id: "" };
    let horizon: Horizon | undefined;
    const changed: string[] = [];
    const isNew = (r: { id: string; version: string }) => this.versions.get(r.id) !== r.version;
    for (let limit = 1; ; limit = Math.min(changesPage, limit * 64)) {
      const page = await repo.changes(after, limit);
      horizon ??= page.horizon;
      changed.push(...page.rows.filter(isNew).map((r) => r.id));
      const last = page.rows.at(-1);
      if (!last || page.rows.length < limit) break;
      after = last;
    }
    // Read after the new horizon's snapshot: one of these that committed before it is seen here;
    // one that had not is still running in the new horizon.
    changed.push(...(await repo.changedBy(previous.running)).filter(isNew).map((r) => r.id));
    const ids = [...new Set(changed)];
    for (let start = 0; start < ids.length; start += fetchBatch) {
      this.reindex(await repo.indexRows(ids.slice(start, start + fetchBatch)));
    }
    this.horizon = horizon;
  }

  private reindex(rows: readonly IndexRow[]): void {
    this.index.upsert(
      rows.map(({ vector, words, version: _, ...attributes }) => {
        this.lexicon.add(words);
        return { ...attributes, terms: tsvectorTerms(vector) };
      }),
    );
    for (const r of rows) this.versions.set(r.id, r.version);
  }
}

const searches = new WeakMap<Database, ProductSearch>();

/** The search of one open store (created on first use). */
export function productSearchOf(db: Database): ProductSearch {
  let search = searches.get(db);
  if (!search) {
    search = new ProductSearch(db);
    searches.set(db, search);
  }
  return search;
}
