-- Shop orders 2.1.0: DuckDB DDL written by quanta export

CREATE TABLE "customers" (
  "customer_id" BIGINT NOT NULL,
  "email" VARCHAR(254) NOT NULL,
  "segment" VARCHAR CHECK ("segment" IN ('retail', 'business', 'vip')),
  "signed_up" DATE NOT NULL,
  PRIMARY KEY ("customer_id")
);

COMMENT ON TABLE "customers" IS 'One row per customer account.';
COMMENT ON COLUMN "customers"."customer_id" IS 'Customer number.';
COMMENT ON COLUMN "customers"."segment" IS 'Marketing segment.';

CREATE TABLE "orders" (
  "order_id" VARCHAR(20) NOT NULL CHECK (length("order_id") >= 12 AND length("order_id") <= 12 AND regexp_matches("order_id", '^ORD-[0-9]{8}$')),
  "customer_id" BIGINT NOT NULL,
  "ordered_at" TIMESTAMP NOT NULL,
  "delivery_time" TIME,
  "total" DECIMAL(12,2) NOT NULL CHECK ("total" >= 0 AND "total" <= 100000),
  "quantity" INTEGER CHECK ("quantity" >= 1),
  "gift" BOOLEAN,
  "status" VARCHAR NOT NULL CHECK ("status" IN ('placed', 'shipped', 'delivered', 'returned')),
  "shipping_address" STRUCT("street" VARCHAR, "city" VARCHAR, "country" VARCHAR),
  "tags" VARCHAR[],
  "lines" STRUCT("sku" VARCHAR, "price" DOUBLE)[],
  PRIMARY KEY ("order_id"),
  FOREIGN KEY ("customer_id") REFERENCES "customers" ("customer_id")
);

COMMENT ON TABLE "orders" IS 'One row per order.';
