-- Shop orders 2.1.0: MySQL DDL written by quanta export

CREATE TABLE `customers` (
  `customer_id` BIGINT NOT NULL COMMENT 'Customer number.',
  `email` VARCHAR(254) NOT NULL,
  `segment` TEXT CHECK (`segment` IN ('retail', 'business', 'vip')) COMMENT 'Marketing segment.',
  `signed_up` DATE NOT NULL,
  PRIMARY KEY (`customer_id`)
) COMMENT = 'One row per customer account.';

CREATE TABLE `orders` (
  `order_id` VARCHAR(20) NOT NULL CHECK (CHAR_LENGTH(`order_id`) >= 12 AND CHAR_LENGTH(`order_id`) <= 12 AND REGEXP_LIKE(`order_id`, '^ORD-[0-9]{8}$')),
  `customer_id` BIGINT NOT NULL,
  `ordered_at` TIMESTAMP NOT NULL,
  `delivery_time` TIME,
  `total` DECIMAL(12,2) NOT NULL CHECK (`total` >= 0 AND `total` <= 100000),
  `quantity` INTEGER CHECK (`quantity` >= 1),
  `gift` BOOLEAN,
  `status` TEXT NOT NULL CHECK (`status` IN ('placed', 'shipped', 'delivered', 'returned')),
  `shipping_address` JSON,
  `tags` JSON,
  `lines` JSON,
  PRIMARY KEY (`order_id`),
  FOREIGN KEY (`customer_id`) REFERENCES `customers` (`customer_id`)
) COMMENT = 'One row per order.';
