select
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
from {{ source('local', 'orders') }}
