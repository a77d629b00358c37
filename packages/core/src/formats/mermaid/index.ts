import type { Format } from "../format.js";

export const format: Format = { name: "mermaid", title: "Mermaid ER diagram" };
