import type { Format } from "../format.js";

export const format: Format = { name: "iceberg", title: "Iceberg schema" };
