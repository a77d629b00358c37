/** Reading untyped documents (already linted, but never trusted to have every field). */
export type Obj = Record<string, unknown>;

export const obj = (v: unknown): Obj | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string | undefined =>
  typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
export const strs = (v: unknown): string[] => arr(v).flatMap((x) => str(x) ?? []);
