select
    "customer_id",
    "email",
    "segment",
    "signed_up"
from {{ source('local', 'customers') }}
