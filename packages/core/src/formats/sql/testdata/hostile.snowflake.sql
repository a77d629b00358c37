-- Hostile "names" 1.0.0: Snowflake DDL written by quanta export

CREATE TABLE "select" (
  "from" BIGINT NOT NULL,
  "order date" DATE,
  "class" VARCHAR,
  "größe" FLOAT,
  "a""b" VARCHAR,
  "x'y" VARCHAR,
  "1st" BOOLEAN,
  "type" VARCHAR,
  "ключ" VARCHAR,
  "a;drop table x" TIMESTAMP_NTZ,
  "Order Date" VARCHAR,
  PRIMARY KEY ("from")
);

COMMENT ON TABLE "select" IS 'A table named like a keyword; */ -- closes no comment';
COMMENT ON COLUMN "select"."class" IS 'Text with "quotes", \'apostrophes\', `backticks`, \\ backslashes and */ --';

CREATE TABLE "order items" (
  "def" BIGINT NOT NULL,
  "interface" VARIANT,
  "package" ARRAY,
  FOREIGN KEY ("def") REFERENCES "select" ("from")
);
