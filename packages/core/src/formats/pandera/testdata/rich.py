"""pandera DataFrame models of data contract shop.orders 2.1.0 (Shop orders).

Orders and the customers who placed them.

Exported by Quanta from the ODCS contract's schema objects: customers, orders.
Validate a pandas DataFrame with Model.validate(df). Do not edit: export the contract again.
"""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class Customers(pa.DataFrameModel):
    "One row per customer account."

    # primary key
    customer_id: Series[int] = pa.Field(nullable=False, unique=True, description="Customer number.")
    email: Series[str] = pa.Field(str_length={"max_value": 254}, nullable=False)
    segment: Series[str] = pa.Field(isin=["retail", "business", "vip"], nullable=True, description="Marketing segment.")
    signed_up: Series[pa.Date] = pa.Field(nullable=False)

    class Config:
        name = "customers"
        coerce = True


class Orders(pa.DataFrameModel):
    "One row per order."

    # primary key
    order_id: Series[str] = pa.Field(str_length={"min_value": 12, "max_value": 12}, str_matches="^ORD-[0-9]{8}$", nullable=False, unique=True)
    # references customers.customer_id (not checked: pandera validates one DataFrame)
    customer_id: Series[int] = pa.Field(nullable=False)
    ordered_at: Series[pa.DateTime] = pa.Field(nullable=False)
    delivery_time: Series[object] = pa.Field(nullable=True)
    # DECIMAL(12,2) read as float
    total: Series[float] = pa.Field(ge=0, le=100000, nullable=False)
    quantity: Series[pd.Int64Dtype] = pa.Field(ge=1, nullable=True)
    gift: Series[pd.BooleanDtype] = pa.Field(nullable=True)
    status: Series[str] = pa.Field(isin=["placed", "shipped", "delivered", "returned"], nullable=False)
    shipping_address: Series[object] = pa.Field(nullable=True)
    tags: Series[object] = pa.Field(nullable=True)
    lines: Series[object] = pa.Field(nullable=True)

    class Config:
        name = "orders"
        coerce = True
