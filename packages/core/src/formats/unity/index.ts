import type { Format } from "../format.js";

export const format: Format = { name: "unity", title: "Databricks Unity Catalog table" };
