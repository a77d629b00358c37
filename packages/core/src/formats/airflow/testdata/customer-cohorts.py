"Airflow DAG quanta_customer_customer_cohorts, written by quanta export --format airflow. Runs the Quanta pipeline of data product customer.customer-cohorts, then tests contract customer.customer-cohorts.monthly-cohorts."

from __future__ import annotations

import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG(
    dag_id="quanta_customer_customer_cohorts",
    description="Runs the Quanta pipeline of data product customer.customer-cohorts, then tests contract customer.customer-cohorts.monthly-cohorts",
    schedule="0 5 * * *",
    start_date=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
    catchup=False,
    # One run at a time, as Quanta itself runs a product's pipeline.
    max_active_runs=1,
    tags=["quanta"],
) as dag:
    # Quanta runs, retries (pipeline.yaml retries) and tests the run itself; --wait exits 1 when the run failed.
    run_pipeline = BashOperator(
        task_id="run_pipeline",
        bash_command="quanta pipeline run customer.customer-cohorts --wait",
        execution_timeout=datetime.timedelta(seconds=21900),
    )
    # Tests contract customer.customer-cohorts.monthly-cohorts against its data, where the data lives.
    test_contract = BashOperator(
        task_id="test_contract",
        bash_command="quanta test contracts/monthly-cohorts.odcs.yaml",
    )

    run_pipeline >> test_contract
