import type { Format } from "../format.js";

export const format: Format = { name: "csv", title: "CSV files" };
