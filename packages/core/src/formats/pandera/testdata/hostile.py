"""pandera DataFrame models of data contract hostile.names 1.0.0 (Hostile \"names\").

Names every target has to quote or rename: reserved words, spaces, quotes, unicode.

Exported by Quanta from the ODCS contract's schema objects: select, order items.
Validate a pandas DataFrame with Model.validate(df). Do not edit: export the contract again.
"""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series


class Select(pa.DataFrameModel):
    "A table named like a keyword; */ -- closes no comment"

    # primary key
    from_: Series[int] = pa.Field(alias="from", nullable=False, unique=True)
    order_date: Series[pa.Date] = pa.Field(alias="order date", nullable=True)
    class_: Series[str] = pa.Field(alias="class", nullable=True, description="Text with \"quotes\", 'apostrophes', `backticks`, \\ backslashes and */ --")
    gro_e: Series[float] = pa.Field(alias="gr\u00f6\u00dfe", nullable=True)
    a_b: Series[str] = pa.Field(alias="a\"b", nullable=True)
    x_y: Series[str] = pa.Field(alias="x'y", nullable=True)
    field_1st: Series[pd.BooleanDtype] = pa.Field(alias="1st", nullable=True)
    type: Series[str] = pa.Field(isin=["it's", "say \"hi\"", "a\\b"], nullable=True)
    field: Series[str] = pa.Field(alias="\u043a\u043b\u044e\u0447", nullable=True)
    a_drop_table_x: Series[pa.DateTime] = pa.Field(alias="a;drop table x", nullable=True)
    order_date_2: Series[str] = pa.Field(alias="Order Date", nullable=True)

    class Config:
        name = "select"
        coerce = True


class OrderItems(pa.DataFrameModel):
    # references select.from (not checked: pandera validates one DataFrame)
    def_: Series[int] = pa.Field(alias="def", nullable=False)
    interface: Series[object] = pa.Field(nullable=True)
    package: Series[object] = pa.Field(nullable=True)

    class Config:
        name = "order items"
        coerce = True
