import type { Format } from "../format.js";

export const format: Format = { name: "pandera", title: "pandera DataFrame models" };
