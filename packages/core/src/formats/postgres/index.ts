import type { Format } from "../format.js";

export const format: Format = { name: "postgres", title: "PostgreSQL database" };
