-- DuckDB: nested types, CREATE OR REPLACE, unquoted unicode names.
CREATE OR REPLACE TABLE customers (
  customer_id UBIGINT PRIMARY KEY,
  größe DOUBLE,
  profile STRUCT(nickname VARCHAR, "home town" STRUCT(city VARCHAR, zip VARCHAR)),
  scores INTEGER[],
  visits STRUCT("at" TIMESTAMP, page VARCHAR)[],
  props MAP(VARCHAR, VARCHAR),
  kind VARCHAR CHECK (kind IN ('a', 'b')) CHECK (regexp_matches(kind, '^[a-z]$')),
  created TIMESTAMPTZ NOT NULL,
  raw BLOB,
  amount HUGEINT CHECK (amount > 0)
);
CREATE TABLE orders (
  id VARCHAR PRIMARY KEY,
  customer_id UBIGINT NOT NULL REFERENCES customers (customer_id),
  lines STRUCT(sku VARCHAR, qty INTEGER)[] NOT NULL
);
COMMENT ON TABLE orders IS 'Orders';
CREATE VIEW big_orders AS SELECT * FROM orders;
CREATE SEQUENCE s;
