import type { Queryable } from "../storage/database.js";
import { type ProductSummary, summaryColumns } from "./product-repository.js";

/** What the search index reads of one product (registry/search-index.ts). */
export interface IndexRow {
  id: string;
  name: string;
  domain: string | null;
  team: string | null;
  status: string;
  tags: string[];
  /** The transaction that last wrote the row: the row's version in the change feed. */
  version: string;
  /** The product's search vector in its text form: every lexeme with its positions and weights. */
  vector: string;
  /** Its names and terms (not prose): the catalogue words typos are corrected to. */
  words: string;
}

const indexColumns = `id, name, domain_id AS domain, team_id AS team, status, tags, changed_in::text AS version,
  search::text AS vector, COALESCE(search_words, '') AS words`;

/**
 * What a snapshot had not seen yet: every transaction from `xmax` on, and those in `running`
 * (started before it, not finished). Whatever commits later is one of them, so a change feed that
 * asks for their rows next time misses nothing, whatever order transactions commit in, and a long
 * transaction elsewhere does not make it ask for everything written since that one began.
 */
export interface Horizon {
  xmax: string;
  running: string[];
}

const horizonColumns = `pg_snapshot_xmax(h.s)::text AS xmax,
  ARRAY(SELECT x::text FROM pg_snapshot_xip(h.s) AS x) AS running`;

/** At most this many words of a query count; a search box is not a document. */
const maxQueryWords = 8;

/**
 * The query's words, lower-cased letters and digits only: nothing of full-text query syntax
 * (& | ! ( ) : * < > ') reaches the database, whatever a user types.
 */
export function queryWords(q: string | undefined): string[] {
  const words = (q ?? "").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, maxQueryWords);
}

/** The SQL behind registry search: the change feed, the index's rows, stemming and the page's rows. */
export class SearchRepository {
  constructor(private readonly q: Queryable) {}

  /**
   * Products written by transactions from `after.version` on (an xid8), in (version, id) order
   * after `after`, at most `limit`; and this statement's snapshot as a horizon (see `Horizon`). One
   * statement, so one snapshot; the order and the limit keep it on the (changed_in, id) index
   * whatever the table's statistics say.
   */
  async changes(
    after: { version: string; id: string },
    limit: number,
  ): Promise<{ horizon: Horizon; rows: { id: string; version: string }[] }> {
    const { rows } = await this.q.query<Horizon & { id: string | null; version: string | null }>(
      `SELECT ${horizonColumns}, p.id, p.version
       FROM (SELECT pg_current_snapshot() AS s) h
       LEFT JOIN LATERAL (
         SELECT id, changed_in::text AS version FROM data_products
         WHERE (changed_in, id) > ($1::xid8, $2::text) ORDER BY changed_in, id LIMIT $3
       ) p ON TRUE`,
      [after.version, after.id, limit],
    );
    const first = rows[0];
    if (!first) throw new Error("the change feed returned no horizon");
    return {
      horizon: { xmax: first.xmax, running: first.running },
      rows: rows.flatMap((r) => (r.id !== null && r.version !== null ? [{ id: r.id, version: r.version }] : [])),
    };
  }

  /** The products last written by these transactions (those running at the previous horizon). */
  async changedBy(transactions: readonly string[]): Promise<{ id: string; version: string }[]> {
    if (transactions.length === 0) return [];
    const { rows } = await this.q.query<{ id: string; version: string }>(
      "SELECT id, changed_in::text AS version FROM data_products WHERE changed_in = ANY($1::xid8[])",
      [transactions],
    );
    return rows;
  }

  /** The horizon now: where a feed that is about to read every product goes on from. */
  async horizon(): Promise<Horizon> {
    const { rows } = await this.q.query<Horizon>(`SELECT ${horizonColumns} FROM (SELECT pg_current_snapshot() AS s) h`);
    const h = rows[0];
    if (!h) throw new Error("no snapshot");
    return h;
  }

  /** Every product in id order after `afterId`, at most `limit` (reading the whole catalogue). */
  async indexRowsAfter(afterId: string, limit: number): Promise<IndexRow[]> {
    const { rows } = await this.q.query<IndexRow>(
      `SELECT ${indexColumns} FROM data_products WHERE id > $1 ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows;
  }

  async indexRows(ids: readonly string[]): Promise<IndexRow[]> {
    const { rows } = await this.q.query<IndexRow>(
      `SELECT ${indexColumns} FROM data_products WHERE id = ANY($1::text[])`,
      [ids],
    );
    return rows;
  }

  /** Each word's lexemes, stemmed by the same configuration as the products' vectors (none for a stop word). */
  async lexemes(words: readonly string[]): Promise<string[][]> {
    if (words.length === 0) return [];
    const { rows } = await this.q.query<{ n: number; lexemes: string[] }>(
      `SELECT k.n::int AS n, tsvector_to_array(to_tsvector('english', k.word)) AS lexemes
       FROM unnest($1::text[]) WITH ORDINALITY AS k (word, n)`,
      [words],
    );
    const byWord: string[][] = words.map(() => []);
    for (const r of rows) byWord[r.n - 1] = r.lexemes;
    return byWord;
  }

  /** The summaries of these products, in the order given (ids the store no longer has are left out). */
  async summaries(ids: readonly string[]): Promise<ProductSummary[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.q.query<ProductSummary>(
      `SELECT ${summaryColumns} FROM data_products p WHERE p.id = ANY($1::text[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }
}
