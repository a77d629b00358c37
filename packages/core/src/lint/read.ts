/** Defensive readers: lint runs on schema-invalid documents, so every value may have any type. */
import { arr, num, obj, text } from "../read.js";

export type { Obj } from "../read.js";
export { arr as asArray, num as asNumber, obj as asObj, text as asString };

/** Only non-empty strings count as names. */
export function nameOf(value: unknown): string | undefined {
  const name = obj(value)?.name;
  return typeof name === "string" && name !== "" ? name : undefined;
}
