/**
 * `logicalTypeOptions.format` → a regular expression both RE2 (DuckDB) and PostgreSQL AREs accept:
 * POSIX classes instead of `\s`/`\d`, no look-arounds. Anchored, so a format is the whole value.
 * JavaScript (ingest) reads the same text through `jsPatternMatcher`, which translates the POSIX
 * classes, so there is one definition per format.
 */
export const stringFormats: Record<string, string> = {
  email: "^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$",
  uuid: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
  uri: "^[a-zA-Z][a-zA-Z0-9+.-]*:[^[:space:]]*$",
  date: "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
  "date-time":
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?$",
  time: "^([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?$",
  ipv4: "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$",
  hostname: "^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$",
};

/**
 * Patterns whose regex admits impossible days (2024-02-30): a value must also be a real calendar
 * day, its first ten characters `YYYY-MM-DD`. Every dialect and the ingest validator add that test.
 */
export const calendarPatterns: ReadonlySet<string> = new Set([
  stringFormats.date as string,
  stringFormats["date-time"] as string,
]);

/** Whether `YYYY-MM-DD…` (digits the format's regex vouched for) names a day that exists. */
export function isCalendarDay(value: string): boolean {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return day >= 1 && day <= days;
}

/**
 * POSIX bracket classes as RE2 defines them (ASCII only, as PostgreSQL does under the C locale),
 * spelled as the contents of a JavaScript character class.
 */
const posixClasses: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "\\x21-\\x7E",
  lower: "a-z",
  print: "\\x20-\\x7E",
  punct: "\\x21-\\x2F\\x3A-\\x40\\x5B-\\x60\\x7B-\\x7E",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

/**
 * A pattern written for RE2 and PostgreSQL as JavaScript RegExp source: `[:name:]` inside a
 * bracket expression becomes its ranges, and a `]` or `[` that POSIX reads literally inside one is
 * escaped. Undefined when the pattern uses what JavaScript cannot say the same way (negated
 * `[:^name:]`, collating elements `[.x.]`, equivalence classes `[=x=]`, unknown class names).
 */
export function jsPatternSource(pattern: string): string | undefined {
  let out = "";
  let inClass = false;
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === "\\") {
      out += pattern.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (!inClass) {
      out += ch;
      i++;
      if (ch !== "[") continue;
      inClass = true;
      if (pattern[i] === "^") {
        out += "^";
        i++;
      }
      // POSIX: a `]` first in the brackets is a literal; in JavaScript `[]` is the empty class.
      if (pattern[i] === "]") {
        out += "\\]";
        i++;
      }
      continue;
    }
    if (ch === "]") {
      inClass = false;
      out += ch;
      i++;
    } else if (ch === "[" && pattern[i + 1] === ":") {
      const end = pattern.indexOf(":]", i + 2);
      const ranges = end < 0 ? undefined : posixClasses[pattern.slice(i + 2, end)];
      if (ranges === undefined) return undefined;
      out += ranges;
      i = end + 2;
    } else if (ch === "[" && (pattern[i + 1] === "." || pattern[i + 1] === "=")) {
      return undefined;
    } else {
      out += ch === "[" ? "\\[" : ch;
      i++;
    }
  }
  return out;
}

const matchers = new Map<string, ((value: string) => boolean) | undefined>();

/**
 * `pattern` (a built-in format's or a contract's own, unanchored like JSON Schema `pattern`) as a
 * JavaScript test that gives the verdict DuckDB and PostgreSQL give: POSIX classes translated,
 * Unicode code points (as RE2 and PostgreSQL match), and the calendar test for date formats.
 * Undefined when JavaScript cannot read the pattern: the caller leaves that rule to the engine.
 */
export function jsPatternMatcher(pattern: string): ((value: string) => boolean) | undefined {
  if (matchers.has(pattern)) return matchers.get(pattern);
  const source = jsPatternSource(pattern);
  const re = source === undefined ? undefined : compile(source);
  const calendar = calendarPatterns.has(pattern);
  const matcher = re && ((value: string) => re.test(value) && (!calendar || isCalendarDay(value)));
  matchers.set(pattern, matcher);
  return matcher;
}

/** With `u` first (code points, as the engines match); a few escapes RE2 reads are errors only with it. */
function compile(source: string): RegExp | undefined {
  for (const flags of ["u", ""]) {
    try {
      return new RegExp(source, flags);
    } catch {
      // not JavaScript with these flags
    }
  }
  return undefined;
}
