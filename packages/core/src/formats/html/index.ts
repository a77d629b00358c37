import type { Format } from "../format.js";

export const format: Format = { name: "html", title: "HTML page" };
