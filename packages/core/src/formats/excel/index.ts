import type { Format } from "../format.js";

export const format: Format = { name: "excel", title: "ODCS Excel template" };
