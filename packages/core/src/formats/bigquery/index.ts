import type { Format } from "../format.js";

export const format: Format = { name: "bigquery", title: "BigQuery table schema" };
