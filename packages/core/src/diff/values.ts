/** Small helpers over plain parsed values (the diff works on `unknown`, never trusting shapes). */
import { arr, isObj, type Obj, scalarText } from "../read.js";

export type { Obj };
export { arr as asList, isObj, scalarText as str };

/** The value as an object; `{}` when it is none. */
export function asObj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

/** Structural equality of plain JSON-like values (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") {
    return typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Obj;
  const bo = b as Obj;
  let count = 0;
  for (const k in ao) {
    if (ao[k] === undefined) continue;
    count++;
    if (!deepEqual(ao[k], bo[k])) return false;
  }
  for (const k in bo) if (bo[k] !== undefined) count--;
  return count === 0;
}

/** Short one-line rendering of a value for messages. */
export function show(v: unknown): string {
  if (v === undefined) return "(none)";
  const text = typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
