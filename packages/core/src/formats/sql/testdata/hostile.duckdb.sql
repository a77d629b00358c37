-- Hostile "names" 1.0.0: DuckDB DDL written by quanta export

CREATE TABLE "select" (
  "from" BIGINT NOT NULL,
  "order date" DATE,
  "class" VARCHAR,
  "größe" DOUBLE,
  "a""b" VARCHAR,
  "x'y" VARCHAR,
  "1st" BOOLEAN,
  "type" VARCHAR CHECK ("type" IN ('it''s', 'say "hi"', 'a\b')),
  "ключ" VARCHAR,
  "a;drop table x" TIMESTAMP,
  "Order Date_2" VARCHAR,
  PRIMARY KEY ("from")
);

COMMENT ON TABLE "select" IS 'A table named like a keyword; */ -- closes no comment';
COMMENT ON COLUMN "select"."class" IS 'Text with "quotes", ''apostrophes'', `backticks`, \ backslashes and */ --';

CREATE TABLE "order items" (
  "def" BIGINT NOT NULL,
  "interface" STRUCT("func" VARCHAR),
  "package" BIGINT[],
  FOREIGN KEY ("def") REFERENCES "select" ("from")
);
