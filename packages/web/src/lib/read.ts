// Safe readers for the plain JSON documents (ODPS, ODCS) the API returns: never throw on odd shapes.

import { arr, nonEmpty, type Obj, objs } from "@quanta/core/read";

export { arr, nonEmpty as str, type Obj, obj, objs } from "@quanta/core/read";
export const strs = (v: unknown): string[] => arr(v).flatMap((x) => nonEmpty(x) ?? []);

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
