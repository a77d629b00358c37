import type { Format } from "../format.js";

export const format: Format = { name: "typescript", title: "TypeScript and zod" };
