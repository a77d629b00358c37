select
    "from",
    "order date",
    "class",
    "größe",
    "a""b",
    "x'y",
    "1st",
    "type",
    "ключ",
    "a;drop table x",
    "Order Date"
from {{ source('hostile_names', 'select') }}
