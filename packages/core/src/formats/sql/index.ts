import type { Format } from "../format.js";

export const format: Format = { name: "sql", title: "SQL DDL" };
