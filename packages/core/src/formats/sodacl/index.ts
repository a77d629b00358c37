import type { Format } from "../format.js";

export const format: Format = { name: "sodacl", title: "SodaCL checks" };
