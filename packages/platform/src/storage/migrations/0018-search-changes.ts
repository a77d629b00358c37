import type { Migration } from "./migration.js";

/**
 * Search moves into an in-memory index per process (ADR 0018), kept in step with the store by a
 * change feed: every product row records the transaction that last wrote it (`changed_in`, set on
 * insert by default and on update by a trigger, so every writer is covered). A reader asks for the
 * rows written by the transactions its previous snapshot had not seen; no commit is missed,
 * whatever order transactions commit in (see product-search.ts and search-repository.ts).
 * The database no longer ranks or matches products: the GIN index and the ranking vector go, so a
 * publish writes less. The `search` vector stays: it is where the index reads each product's lexemes.
 */
export const searchChangesMigration: Migration = {
  id: 18,
  name: "search-changes",
  sql: /* sql */ `
ALTER TABLE data_products ADD COLUMN changed_in xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX data_products_changed_in ON data_products (changed_in, id);

CREATE FUNCTION quanta_product_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.changed_in := pg_current_xact_id();
  RETURN NEW;
END $$;

CREATE TRIGGER data_products_changed BEFORE UPDATE ON data_products
  FOR EACH ROW EXECUTE FUNCTION quanta_product_changed();

DROP INDEX data_products_search;
ALTER TABLE data_products DROP COLUMN search_rank;
`,
};
