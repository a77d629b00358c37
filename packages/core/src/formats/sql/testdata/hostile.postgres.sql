-- Hostile "names" 1.0.0: PostgreSQL DDL written by quanta export

CREATE TABLE "select" (
  "from" BIGINT NOT NULL,
  "order date" DATE,
  "class" TEXT,
  "größe" DOUBLE PRECISION,
  "a""b" TEXT,
  "x'y" TEXT,
  "1st" BOOLEAN,
  "type" TEXT CHECK ("type" IN ('it''s', 'say "hi"', 'a\b')),
  "ключ" TEXT,
  "a;drop table x" TIMESTAMP,
  "Order Date" TEXT,
  PRIMARY KEY ("from")
);

COMMENT ON TABLE "select" IS 'A table named like a keyword; */ -- closes no comment';
COMMENT ON COLUMN "select"."class" IS 'Text with "quotes", ''apostrophes'', `backticks`, \ backslashes and */ --';

CREATE TABLE "order items" (
  "def" BIGINT NOT NULL,
  "interface" JSONB,
  "package" BIGINT[],
  FOREIGN KEY ("def") REFERENCES "select" ("from")
);
