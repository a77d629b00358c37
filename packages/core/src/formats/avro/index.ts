import type { Format } from "../format.js";

export const format: Format = { name: "avro", title: "Avro schema" };
