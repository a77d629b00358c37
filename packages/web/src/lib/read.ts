// Safe readers for the plain JSON documents (ODPS, ODCS) the API returns: never throw on odd shapes.

export type Obj = Record<string, unknown>;

export const obj = (v: unknown): Obj | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const objs = (v: unknown): Obj[] =>
  arr(v).flatMap((x) => {
    const o = obj(x);
    return o ? [o] : [];
  });
export const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
export const strs = (v: unknown): string[] => arr(v).flatMap((x) => str(x) ?? []);

/** A value as short readable text: strings as they are, the rest as compact JSON. */
export function text(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return JSON.stringify(v);
}

/** `customProperties: [{property, value}]` as a lookup. */
export function customProperty(doc: Obj | undefined, name: string): unknown {
  return objs(doc?.customProperties).find((p) => p.property === name)?.value;
}
