"Airflow DAG quanta_shop_orders_test, written by quanta export --format airflow. Tests contract shop.orders with Quanta."

from __future__ import annotations

import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="quanta_shop_orders_test",
    description="Tests contract shop.orders with Quanta",
    schedule=None,
    start_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
    catchup=False,
    # One run at a time, as Quanta itself runs a product's pipeline.
    max_active_runs=1,
    tags=["quanta"],
) as dag:
    # Tests contract shop.orders against its data, where the data lives.
    test_contract = BashOperator(
        task_id="test_contract",
        bash_command="quanta test packages/core/src/formats/testdata/rich.odcs.yaml",
    )
