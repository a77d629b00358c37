import type { Format } from "../format.js";

export const format: Format = { name: "parquet", title: "Parquet files" };
