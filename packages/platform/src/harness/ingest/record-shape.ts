import { InputError } from "@quanta/core";

const kind = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "an array" : `a ${typeof v}`);

/**
 * Refuses an upload whose records are not rows: each must be a JSON object, nested at most
 * `maxDepth` levels (the record itself is level 1). Walked without recursion, so a record nested
 * 20,000 deep is a 400 here instead of a stack overflow in JSON.stringify or the database's parser.
 */
export function checkRecordShapes(records: readonly unknown[], maxDepth: number): void {
  for (const [i, record] of records.entries()) {
    if (record === null || typeof record !== "object" || Array.isArray(record)) {
      throw new InputError(
        `record ${i + 1} is ${kind(record)}; each record must be an object of property names and values`,
        { code: "invalid-record" },
      );
    }
    const stack: [unknown, number][] = [[record, 1]];
    while (stack.length > 0) {
      const [value, depth] = stack.pop() as [unknown, number];
      if (depth > maxDepth) {
        throw new InputError(`record ${i + 1} is nested deeper than ${maxDepth} levels of objects and arrays`, {
          code: "too-deep",
          details: { maxDepth },
        });
      }
      for (const child of Object.values(value as object))
        if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
}
