import type { Format } from "../format.js";

export const format: Format = { name: "markdown", title: "Markdown" };
