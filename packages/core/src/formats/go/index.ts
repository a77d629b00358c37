import type { Format } from "../format.js";

export const format: Format = { name: "go", title: "Go structs" };
