import type { Format } from "../format.js";

export const format: Format = { name: "airflow", title: "Airflow DAG" };
