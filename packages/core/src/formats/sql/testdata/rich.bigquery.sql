-- Shop orders 2.1.0: BigQuery DDL written by quanta export

CREATE TABLE `customers` (
  `customer_id` BIGINT NOT NULL OPTIONS(description = 'Customer number.'),
  `email` STRING(254) NOT NULL,
  `segment` STRING OPTIONS(description = 'Marketing segment.'),
  `signed_up` DATE NOT NULL,
  PRIMARY KEY (`customer_id`) NOT ENFORCED
) OPTIONS(description = 'One row per customer account.');

CREATE TABLE `orders` (
  `order_id` STRING(12) NOT NULL,
  `customer_id` BIGINT NOT NULL,
  `ordered_at` TIMESTAMP NOT NULL,
  `delivery_time` TIME,
  `total` DECIMAL(12,2) NOT NULL,
  `quantity` INTEGER,
  `gift` BOOL,
  `status` STRING NOT NULL,
  `shipping_address` STRUCT<`street` STRING, `city` STRING NOT NULL, `country` STRING>,
  `tags` ARRAY<STRING>,
  `lines` ARRAY<STRUCT<`sku` STRING NOT NULL, `price` FLOAT64>>,
  PRIMARY KEY (`order_id`) NOT ENFORCED,
  FOREIGN KEY (`customer_id`) REFERENCES `customers` (`customer_id`) NOT ENFORCED
) OPTIONS(description = 'One row per order.');
