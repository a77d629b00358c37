import type { Format } from "../format.js";

export const format: Format = { name: "jsonschema", title: "JSON Schema" };
