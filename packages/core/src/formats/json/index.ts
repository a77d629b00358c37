import type { Format } from "../format.js";

export const format: Format = { name: "json", title: "JSON data files" };
