import type { Migration } from "./migration.js";

/**
 * Typo tolerance moves from every product to the catalogue's words (PostgreSQL's documented
 * pg_trgm + full-text pattern, ADR 0008): `search_lexicon` holds each distinct word of the products'
 * names, ids, tags, glossary terms and schema names, with its own trigram index. A query word is
 * widened to its closest catalogue words there, then products are matched by full-text search only
 * (the GIN index on `search`), so no row ever runs a trigram comparison.
 * The trigger fills the lexicon from whatever writes a product row (publish, imports, benchmarks).
 * Words are only added: one that no product uses any more widens a query to nothing that matches.
 */
export const searchLexiconMigration: Migration = {
  id: 15,
  name: "search-lexicon",
  sql: /* sql */ `
CREATE TABLE search_lexicon (
  word text PRIMARY KEY
);
CREATE INDEX search_lexicon_trgm ON search_lexicon USING gin (word gin_trgm_ops) WITH (fastupdate = off);

CREATE FUNCTION quanta_search_lexicon_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_lexicon (word)
    SELECT DISTINCT w FROM regexp_split_to_table(lower(NEW.search_words), '[[:space:][:punct:]]+') AS w
    WHERE length(w) BETWEEN 3 AND 60
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER data_products_lexicon AFTER INSERT OR UPDATE OF search_words ON data_products
  FOR EACH ROW EXECUTE FUNCTION quanta_search_lexicon_add();

INSERT INTO search_lexicon (word)
  SELECT DISTINCT w FROM data_products, regexp_split_to_table(lower(search_words), '[[:space:][:punct:]]+') AS w
  WHERE length(w) BETWEEN 3 AND 60
ON CONFLICT DO NOTHING;

-- Matching no longer compares a query with each product's words: their trigram index only costs.
DROP INDEX data_products_words;
`,
};
