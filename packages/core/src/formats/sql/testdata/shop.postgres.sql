-- A web shop's tables, as pg_dump and hand-written DDL mix them.
CREATE TABLE public.customers (
  customer_id BIGINT PRIMARY KEY,
  email VARCHAR(254) NOT NULL UNIQUE,
  segment TEXT CHECK (segment IN ('retail', 'business', 'it''s vip')),
  signed_up DATE NOT NULL DEFAULT CURRENT_DATE
);

CREATE TABLE "order lines" (
  "Größe" NUMERIC(10,2) NOT NULL CHECK ("Größe" >= 0),
  order_id VARCHAR(20) NOT NULL,
  line_no INTEGER NOT NULL CHECK (line_no BETWEEN 1 AND 999),
  sku TEXT CHECK (length(sku) <= 12 AND sku = upper(sku)),
  placed_at TIMESTAMP WITH TIME ZONE,
  tags TEXT[],
  attrs JSONB,
  customer_id BIGINT REFERENCES customers,
  CONSTRAINT order_lines_pk PRIMARY KEY (order_id, line_no),
  CHECK (line_no < 1000 OR sku IS NULL),
  CHECK (sku ~ '^[A-Z]+$')
);

COMMENT ON TABLE customers IS 'One row per customer; it''s the master.';
COMMENT ON COLUMN "order lines"."Größe" IS 'Size in cm';
CREATE INDEX lines_sku ON "order lines" (sku);
INSERT INTO customers VALUES (1, 'a@example.com', 'retail', '2024-01-01');
