-- Shop orders 2.1.0: PostgreSQL DDL written by quanta export

CREATE TABLE "customers" (
  "customer_id" BIGINT NOT NULL,
  "email" VARCHAR(254) NOT NULL,
  "segment" TEXT CHECK ("segment" IN ('retail', 'business', 'vip')),
  "signed_up" DATE NOT NULL,
  PRIMARY KEY ("customer_id")
);

COMMENT ON TABLE "customers" IS 'One row per customer account.';
COMMENT ON COLUMN "customers"."customer_id" IS 'Customer number.';
COMMENT ON COLUMN "customers"."segment" IS 'Marketing segment.';

CREATE TABLE "orders" (
  "order_id" VARCHAR(20) NOT NULL CHECK (char_length("order_id") >= 12 AND char_length("order_id") <= 12 AND "order_id" ~ '^ORD-[0-9]{8}$'),
  "customer_id" BIGINT NOT NULL,
  "ordered_at" TIMESTAMP NOT NULL,
  "delivery_time" TIME,
  "total" DECIMAL(12,2) NOT NULL CHECK ("total" >= 0 AND "total" <= 100000),
  "quantity" INTEGER CHECK ("quantity" >= 1),
  "gift" BOOLEAN,
  "status" TEXT NOT NULL CHECK ("status" IN ('placed', 'shipped', 'delivered', 'returned')),
  "shipping_address" JSONB,
  "tags" TEXT[],
  "lines" JSONB[],
  PRIMARY KEY ("order_id"),
  FOREIGN KEY ("customer_id") REFERENCES "customers" ("customer_id")
);

COMMENT ON TABLE "orders" IS 'One row per order.';
