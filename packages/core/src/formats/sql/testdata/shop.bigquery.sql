# BigQuery: backtick paths, STRUCT and ARRAY, OPTIONS descriptions, keys NOT ENFORCED.
CREATE TABLE `shop-prod.sales.customers` (
  customer_id INT64 NOT NULL OPTIONS(description = "Customer number"),
  email STRING(254),
  address STRUCT<street STRING, city STRING NOT NULL OPTIONS(description = 'Town')>,
  tags ARRAY<STRING>,
  signed_up DATE,
  PRIMARY KEY (customer_id) NOT ENFORCED
)
PARTITION BY signed_up
OPTIONS(description = 'One row per customer', labels = [('team', 'sales')]);
CREATE TABLE sales.orders (
  order_id STRING NOT NULL,
  customer_id INT64,
  lines ARRAY<STRUCT<sku STRING, price NUMERIC(12, 2)>>,
  ordered_at TIMESTAMP,
  PRIMARY KEY (order_id) NOT ENFORCED,
  FOREIGN KEY (customer_id) REFERENCES sales.customers (customer_id) NOT ENFORCED
);
