/**
 * `@quanta/core/read`: the one reader of untyped documents (parsed YAML and JSON, API answers).
 * Never throws on an odd shape. Three readers of text, named for what they accept:
 * `text` (a string), `nonEmpty` (a string with something in it) and `scalarText` (a string, or a
 * number or boolean written as text: YAML reads `version: 1` as a number).
 */
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
/** The value as an object, or undefined when it is none (arrays are not objects here). */
export const obj = (v: unknown): Obj | undefined => (isObj(v) ? v : undefined);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
/** The objects of a list, skipping anything else. */
export const objs = (v: unknown): Obj[] => arr(v).filter(isObj);

export const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
export const nonEmpty = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
export const scalarText = (v: unknown): string | undefined =>
  typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
/** The strings of a list, skipping anything else. */
export const texts = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === "string");
/** A finite number, or undefined. */
export const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
