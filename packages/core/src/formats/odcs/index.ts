import type { Format } from "../format.js";

export const format: Format = { name: "odcs", title: "ODCS (other versions)" };
