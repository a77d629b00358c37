import { certifiedProductsSql } from "../../governance/certified-products.js";
import type { Queryable } from "../database.js";

export interface SearchText {
  a: string;
  b: string;
  c: string;
  d: string;
  words: string;
}

export interface ProductRecord {
  id: string;
  name: string;
  version: string;
  status: string;
  domainId: string | null;
  teamId: string | null;
  summary: string;
  tags: string[];
  search: SearchText;
}

export interface PortRecord {
  direction: "input" | "output" | "management";
  name: string;
  type: string | null;
  version: string | null;
  contractId: string | null;
  description: string | null;
}

export interface ProductSummary {
  id: string;
  name: string;
  version: string;
  status: string;
  domain: string | null;
  team: string | null;
  summary: string;
  tags: string[];
  updatedAt: string;
  /** Relevance when a search text was given (higher is better). */
  score?: number;
}

export interface ProductQuery {
  q?: string | undefined;
  domain?: string | undefined;
  team?: string | undefined;
  tag?: string | undefined;
  status?: string | undefined;
  /** Only products certified at one of these levels now (see governance/governance-service.ts). */
  certification?: string[] | undefined;
  limit: number;
  offset: number;
}

const summaryColumns = `p.id, p.name, p.version, p.status, p.domain_id AS domain, p.team_id AS team,
  p.summary, p.tags, p.updated_at AS "updatedAt"`;

/**
 * Relevance, in tiers so a name match always outranks a mere mention (see ADR 0008): 2 when the
 * (widened) query matches the name/id lexemes (weight A), plus the weighted full-text rank of the
 * small ranking vector (A 1.0, B 0.4, C 0.2; normalised to 0..1). A match only in prose
 * (weight D) scores 0 and sorts by name after every other.
 */
const scoreSql = `(
    CASE WHEN p.search_rank @@ s.tsq_a THEN 2 ELSE 0 END
  + ts_rank('{0.1, 0.2, 0.4, 1.0}', p.search_rank, s.tsq, 32)
)`;

/** At most this many words of a query count; a search box is not a document. */
const maxQueryWords = 8;

/**
 * The query's words, lower-cased letters and digits only: nothing of full-text query syntax
 * (& | ! ( ) : * < > ') can reach to_tsquery, whatever a user types.
 */
export function queryWords(q: string | undefined): string[] {
  const words = (q ?? "").toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return [...new Set(words)].slice(0, maxQueryWords);
}

/**
 * Each query word OR, when the catalogue does not know it, its closest catalogue words (typos:
 * trigram similarity ≥ 0.4 in search_lexicon, at most 3, only for words of 4+ characters), all
 * words ANDed: one tsquery, and its twin restricted to name/id lexemes (weight A) for the tier.
 */
const widenedQuerySql = `
  SELECT to_tsquery('english', string_agg('(' || alternatives || ')', ' & ')) AS tsq,
         to_tsquery('english', string_agg('(' || alternatives_a || ')', ' & ')) AS tsq_a
  FROM (
    SELECT k.n, string_agg(DISTINCT a.word, ' | ') AS alternatives,
           string_agg(DISTINCT a.word || ':A', ' | ') AS alternatives_a
    FROM unnest($6::text[]) WITH ORDINALITY AS k (word, n)
    CROSS JOIN LATERAL (
      SELECT k.word
      UNION
      (SELECT l.word FROM search_lexicon l
       WHERE length(k.word) >= 4 AND l.word % k.word AND similarity(l.word, k.word) >= 0.4
         AND NOT EXISTS (SELECT 1 FROM search_lexicon known WHERE known.word = k.word)
       ORDER BY similarity(l.word, k.word) DESC, l.word LIMIT 3)
    ) AS a (word)
    GROUP BY k.n
  ) AS widened
`;

/** Products, their published versions and the ports of the current version. */
export class ProductRepository {
  constructor(private readonly q: Queryable) {}

  async current(id: string): Promise<{ revision: number; version: string } | undefined> {
    const { rows } = await this.q.query<{ revision: number; version: string }>(
      "SELECT revision, version FROM data_products WHERE id = $1",
      [id],
    );
    return rows[0];
  }

  async versionFiles(id: string, version: string): Promise<unknown | undefined> {
    const { rows } = await this.q.query<{ files: unknown }>(
      "SELECT files FROM product_versions WHERE product_id = $1 AND version = $2",
      [id, version],
    );
    return rows[0]?.files;
  }

  private params(p: ProductRecord): unknown[] {
    return [
      p.id,
      p.name,
      p.version,
      p.status,
      p.domainId,
      p.teamId,
      p.summary,
      p.tags,
      p.search.a,
      p.search.b,
      p.search.c,
      p.search.d,
      p.search.words,
    ];
  }

  /** Inserts a new product; a concurrent insert of the same id fails with a unique violation. */
  async insert(p: ProductRecord): Promise<void> {
    await this.q.query(
      `INSERT INTO data_products (id, name, version, status, domain_id, team_id, summary, tags,
         search_a, search_b, search_c, search_d, search_words)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      this.params(p),
    );
  }

  /** Updates only if nobody published since `revision` was read; false when someone did. */
  async update(p: ProductRecord, revision: number): Promise<boolean> {
    const { rowCount } = await this.q.query(
      `UPDATE data_products SET name = $2, version = $3, status = $4, domain_id = $5, team_id = $6,
         summary = $7, tags = $8, search_a = $9, search_b = $10, search_c = $11, search_d = $12,
         search_words = $13, revision = revision + 1, updated_at = now()
       WHERE id = $1 AND revision = $14`,
      [...this.params(p), revision],
    );
    return rowCount === 1;
  }

  async insertVersion(v: {
    productId: string;
    version: string;
    document: unknown;
    files: unknown;
    publishedBy?: string | undefined;
  }): Promise<void> {
    await this.q.query(
      "INSERT INTO product_versions (product_id, version, document, files, published_by) VALUES ($1, $2, $3, $4, $5)",
      [v.productId, v.version, JSON.stringify(v.document), JSON.stringify(v.files), v.publishedBy ?? null],
    );
  }

  async replacePorts(productId: string, ports: readonly PortRecord[]): Promise<void> {
    await this.q.query("DELETE FROM ports WHERE product_id = $1", [productId]);
    for (const p of ports) {
      await this.q.query(
        `INSERT INTO ports (product_id, direction, name, type, version, contract_id, description)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
        [productId, p.direction, p.name, p.type, p.version, p.contractId, p.description],
      );
    }
  }

  async get(id: string): Promise<(ProductSummary & { document: unknown; ports: PortRecord[] }) | undefined> {
    const { rows } = await this.q.query<ProductSummary & { document: unknown }>(
      `SELECT ${summaryColumns}, v.document FROM data_products p
       JOIN product_versions v ON v.product_id = p.id AND v.version = p.version WHERE p.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    const { rows: ports } = await this.q.query<PortRecord>(
      `SELECT direction, name, type, version, contract_id AS "contractId", description
       FROM ports WHERE product_id = $1 ORDER BY direction, name`,
      [id],
    );
    return { ...row, ports };
  }

  async versions(id: string): Promise<{ version: string; publishedAt: string; publishedBy: string | null }[]> {
    const { rows } = await this.q.query<{ version: string; publishedAt: string; publishedBy: string | null }>(
      `SELECT version, published_at AS "publishedAt", published_by AS "publishedBy"
       FROM product_versions WHERE product_id = $1 ORDER BY published_at DESC, version DESC`,
      [id],
    );
    return rows;
  }

  /** Filtered, optionally searched, paginated; `total` counts every match, not just the page. */
  async search(query: ProductQuery): Promise<{ items: ProductSummary[]; total: number }> {
    const searching = query.q !== undefined && query.q.trim() !== "";
    const params: unknown[] = [
      query.domain ?? null,
      query.team ?? null,
      query.tag ?? null,
      query.status ?? null,
      query.certification ?? null,
      ...(searching ? [queryWords(query.q)] : []),
    ];
    const filters = `($1::text IS NULL OR p.domain_id = $1) AND ($2::text IS NULL OR p.team_id = $2)
      AND ($3::text IS NULL OR p.tags @> ARRAY[$3::text]) AND ($4::text IS NULL OR p.status = $4)
      AND ($5::text[] IS NULL OR p.id IN (${certifiedProductsSql("$5")}))`;
    // Typos were widened to catalogue words beforehand, so matching is full-text only and the GIN
    // index on the tsvector answers it; a query of no words (only punctuation) matches nothing.
    const match = searching ? "p.search @@ s.tsq" : "TRUE";
    const from = searching
      ? `FROM data_products p, (${widenedQuerySql}) s WHERE ${filters} AND ${match}`
      : `FROM data_products p WHERE ${filters}`;
    const n = params.length;
    const count = async () =>
      (await this.q.query<{ total: number }>(`SELECT count(*)::int AS total ${from}`, params)).rows[0]?.total ?? 0;
    if (!searching) {
      // Listing walks the name index and stops at the page; the count is a separate cheap scan.
      const [page, total] = await Promise.all([
        this.q.query<ProductSummary>(
          `SELECT ${summaryColumns} ${from} ORDER BY lower(p.name), p.id LIMIT $${n + 1} OFFSET $${n + 2}`,
          [...params, query.limit, query.offset],
        ),
        count(),
      ]);
      return { items: page.rows, total };
    }
    // Searching ranks every match anyway: the total rides along (one scan); a page past the end counts.
    const page = await this.q.query<ProductSummary & { total_count?: number }>(
      `SELECT ${summaryColumns}, round((${scoreSql})::numeric, 4)::float8 AS score, count(*) OVER ()::int AS total_count
       ${from} ORDER BY score DESC, lower(p.name), p.id LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...params, query.limit, query.offset],
    );
    const total = page.rows[0]?.total_count ?? (await count());
    const items = page.rows.map(({ total_count: _, ...item }) => item);
    return { items, total };
  }
}
