import type { Format } from "../format.js";

export const format: Format = { name: "pydantic", title: "Pydantic" };
