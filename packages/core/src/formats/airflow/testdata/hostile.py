"Airflow DAG quanta_shop_x_y_raw_n, written by quanta export --format airflow. Runs the Quanta pipeline of data product shop\"x'y {% raw %}\\n, then tests contract hostile.names."

from __future__ import annotations

import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="quanta_shop_x_y_raw_n",
    description="Runs the Quanta pipeline of data product shop\"x'y {% raw %}\\n, then tests contract hostile.names",
    schedule="@hourly",
    start_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
    catchup=False,
    # One run at a time, as Quanta itself runs a product's pipeline.
    max_active_runs=1,
    tags=["quanta"],
) as dag:
    # Quanta runs, retries (pipeline.yaml retries) and tests the run itself; --wait exits 1 when the run failed.
    run_pipeline = BashOperator(
        task_id="run_pipeline",
        bash_command="quanta pipeline run 'shop\"x'\\''y {{ '{' }}% raw %}\\n' --wait",
        execution_timeout=datetime.timedelta(seconds=21900),
    )
    # Tests contract hostile.names against its data, where the data lives.
    test_contract = BashOperator(
        task_id="test_contract",
        bash_command="quanta test 'contracts/it'\\''s {{ '{' }}{ \"here\" }}.odcs.yaml'",
    )

    run_pipeline >> test_contract
