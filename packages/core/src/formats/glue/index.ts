import type { Format } from "../format.js";

export const format: Format = { name: "glue", title: "AWS Glue table" };
