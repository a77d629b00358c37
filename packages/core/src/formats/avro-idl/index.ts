import type { Format } from "../format.js";

export const format: Format = { name: "avro-idl", title: "Avro IDL" };
