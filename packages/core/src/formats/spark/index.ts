import type { Format } from "../format.js";

export const format: Format = { name: "spark", title: "Spark schema" };
