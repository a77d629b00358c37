SELECT
  "customer_id",
  "email",
  "segment",
  "signed_up"
FROM "customers";

SELECT
  "order_id",
  "customer_id",
  "ordered_at",
  "delivery_time",
  "total",
  "quantity",
  "gift",
  "status",
  "shipping_address",
  "tags",
  "lines"
FROM "orders";
