-- Shop orders 2.1.0: Snowflake DDL written by quanta export

CREATE TABLE "customers" (
  "customer_id" BIGINT NOT NULL,
  "email" VARCHAR(254) NOT NULL,
  "segment" VARCHAR,
  "signed_up" DATE NOT NULL,
  PRIMARY KEY ("customer_id")
);

COMMENT ON TABLE "customers" IS 'One row per customer account.';
COMMENT ON COLUMN "customers"."customer_id" IS 'Customer number.';
COMMENT ON COLUMN "customers"."segment" IS 'Marketing segment.';

CREATE TABLE "orders" (
  "order_id" VARCHAR(20) NOT NULL,
  "customer_id" BIGINT NOT NULL,
  "ordered_at" TIMESTAMP NOT NULL,
  "delivery_time" TIME,
  "total" DECIMAL(12,2) NOT NULL,
  "quantity" INTEGER,
  "gift" BOOLEAN,
  "status" VARCHAR NOT NULL,
  "shipping_address" VARIANT,
  "tags" ARRAY,
  "lines" ARRAY,
  PRIMARY KEY ("order_id"),
  FOREIGN KEY ("customer_id") REFERENCES "customers" ("customer_id")
);

COMMENT ON TABLE "orders" IS 'One row per order.';
