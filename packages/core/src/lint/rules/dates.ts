import type { Path } from "../../issues.js";
import type { LintRule } from "../lint-rule.js";

const isoShape =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|z|[+-](\d{2})(?::?(\d{2}))?)?)?$/;

/** Why an ISO-8601-shaped string is not a real date/time (e.g. 2024-02-30), or undefined. */
export function dateError(text: string): string | undefined {
  const m = isoShape.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, oh, om] = m.map((x) => (x === undefined ? undefined : Number(x)));
  const year = y as number;
  const month = mo as number;
  const day = d as number;
  if (month < 1 || month > 12) return `month ${m[2]} does not exist`;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) return `${m[1]}-${m[2]} has ${days} days, not ${m[3]}`;
  if (h !== undefined && h > 23) return `hour ${m[4]} does not exist`;
  if (mi !== undefined && mi > 59) return `minute ${m[5]} does not exist`;
  if (s !== undefined && s > 60) return `second ${m[6]} does not exist`;
  if (oh !== undefined && oh > 23) return `time zone offset hour ${m[7]} does not exist`;
  if (om !== undefined && om > 59) return `time zone offset minute ${m[8]} does not exist`;
  return undefined;
}

/** Every string in the document with its path (documents are depth-limited by the parser). */
function* strings(value: unknown, path: Path): Generator<{ text: string; path: Path }> {
  if (typeof value === "string") yield { text: value, path };
  else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) yield* strings(value[i], [...path, i]);
  else if (typeof value === "object" && value !== null)
    for (const [k, v] of Object.entries(value)) yield* strings(v, [...path, k]);
}

export const invalidDate: LintRule = {
  code: "invalid-date",
  severity: "error",
  description:
    "A date or timestamp written in ISO 8601 form that does not exist on the calendar (e.g. `2024-02-30`, month 13, hour 25), anywhere in the document: `contractCreatedTs`, examples, date bounds, team dates.",
  check(ctx) {
    for (const { text, path } of strings(ctx.value, [])) {
      const error = dateError(text);
      if (error) ctx.report(path, `"${text}" is not a valid date: ${error}`);
    }
  },
};
