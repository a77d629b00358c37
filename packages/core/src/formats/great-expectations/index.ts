import type { Format } from "../format.js";

export const format: Format = { name: "great-expectations", title: "Great Expectations suite" };
