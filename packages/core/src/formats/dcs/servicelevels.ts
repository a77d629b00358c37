import type { Path } from "../../issues.js";
import { scalarText as str } from "../../read.js";
import { type ConvertContext, compact, isObject, type JsonObject } from "../convert-context.js";

export interface Duration {
  value: number | string;
  unit?: string;
}

/** Units Quanta writes in `slaProperties[].unit`, from every spelling DCS durations use. */
const units: Readonly<Record<string, string>> = {
  ms: "ms",
  millisecond: "ms",
  milliseconds: "ms",
  s: "s",
  sec: "s",
  second: "s",
  seconds: "s",
  m: "min",
  min: "min",
  mins: "min",
  minute: "min",
  minutes: "min",
  h: "h",
  hr: "h",
  hrs: "h",
  hour: "h",
  hours: "h",
  d: "d",
  day: "d",
  days: "d",
  w: "w",
  week: "w",
  weeks: "w",
  mo: "mon",
  month: "mon",
  months: "mon",
  y: "y",
  yr: "y",
  year: "y",
  years: "y",
};

const isoDateUnits: Readonly<Record<string, string>> = { Y: "y", M: "mon", W: "w", D: "d" };
const isoTimeUnits: Readonly<Record<string, string>> = { H: "h", M: "min", S: "s" };

/**
 * `25h`, `24 hours`, `30d`, `1 year`, `PT24H`, `P1Y` → value + unit. A compound ISO duration
 * (`P1DT12H`) or free text stays a string value without unit.
 */
export function parseDuration(text: string): Duration {
  const t = text.trim();
  const simple = /^(\d+(?:\.\d+)?)\s*([A-Za-z]+)$/.exec(t);
  if (simple) {
    const unit = units[simple[2]?.toLowerCase() ?? ""];
    if (unit) return { value: Number(simple[1]), unit };
  }
  const iso = /^P(?:(\d+(?:\.\d+)?)([YMWD]))?(?:T(\d+(?:\.\d+)?)([HMS]))?$/.exec(t);
  if (iso && (iso[1] === undefined) !== (iso[3] === undefined)) {
    if (iso[1] !== undefined) return { value: Number(iso[1]), unit: isoDateUnits[iso[2] ?? ""] };
    return { value: Number(iso[3]), unit: isoTimeUnits[iso[4] ?? ""] };
  }
  return { value: t };
}

/** Batch intervals as a frequency. */
const intervals: Readonly<Record<string, Duration>> = {
  hourly: { value: 1, unit: "h" },
  daily: { value: 1, unit: "d" },
  weekly: { value: 1, unit: "w" },
  monthly: { value: 1, unit: "mon" },
  yearly: { value: 1, unit: "y" },
  annually: { value: 1, unit: "y" },
};

function interval(text: string): Duration {
  return intervals[text.trim().toLowerCase()] ?? parseDuration(text);
}

type Sla = JsonObject;
type Converter = (ctx: ConvertContext, level: JsonObject, path: Path) => Sla[];

const description = (level: JsonObject) => str(level.description);

function duration(property: string, text: string | undefined, level: JsonObject, extra: JsonObject = {}): Sla[] {
  if (text === undefined) return [];
  const d = parseDuration(text);
  return [compact({ property, value: d.value, unit: d.unit, ...extra, description: description(level) })];
}

/** One converter per DCS service level; each returns the ODCS SLA properties it becomes. */
const converters: Readonly<Record<string, Converter>> = {
  availability: (_ctx, level) => {
    const pct = str(level.percentage);
    if (pct === undefined) return [];
    const n = Number(pct.replace(/%$/, ""));
    return [
      compact({
        property: "availability",
        value: Number.isFinite(n) ? n : pct,
        unit: Number.isFinite(n) ? "percent" : undefined,
        description: description(level),
      }),
    ];
  },
  retention: (_ctx, level) => {
    const element = str(level.timestampField);
    if (level.unlimited === true) {
      return [compact({ property: "retention", value: "unlimited", element, description: description(level) })];
    }
    return duration("retention", str(level.period), level, { element });
  },
  latency: (_ctx, level) =>
    duration("latency", str(level.threshold), level, {
      element: str(level.processedTimestampField) ?? str(level.sourceTimestampField),
    }),
  freshness: (_ctx, level) =>
    duration("freshness", str(level.threshold), level, { element: str(level.timestampField) }),
  frequency: (_ctx, level) => {
    const cron = str(level.cron);
    const int = str(level.interval);
    const d = int !== undefined ? interval(int) : undefined;
    const value = d?.value ?? str(level.type) ?? (cron ? "cron" : undefined);
    if (value === undefined) return [];
    const kind = str(level.type);
    // The processing type has no SLA field of its own; it stays readable in the description.
    const text = [description(level), kind && d ? `(${kind})` : undefined].filter(Boolean).join(" ");
    return [
      compact({
        property: "frequency",
        value,
        unit: d?.unit,
        description: text || undefined,
        scheduler: cron ? "cron" : undefined,
        schedule: cron,
      }),
    ];
  },
  support: (_ctx, level) => {
    const out: Sla[] = [];
    const time = str(level.time);
    if (time !== undefined)
      out.push(compact({ property: "supportHours", value: time, description: description(level) }));
    out.push(...duration("responseTime", str(level.responseTime), time === undefined ? level : {}));
    return out;
  },
  backup: (_ctx, level) => {
    const out: Sla[] = [];
    const cron = str(level.cron);
    const int = str(level.interval);
    if (int !== undefined || cron !== undefined) {
      const d = int !== undefined ? interval(int) : undefined;
      out.push(
        compact({
          property: "backupFrequency",
          value: d?.value ?? "cron",
          unit: d?.unit,
          description: description(level),
          scheduler: cron ? "cron" : undefined,
          schedule: cron,
        }),
      );
    }
    out.push(...duration("recoveryTime", str(level.recoveryTime), {}));
    out.push(...duration("recoveryPoint", str(level.recoveryPoint), {}));
    return out;
  },
};

/** Keys each service level understands; others are reported as not mapped. */
const knownKeys: Readonly<Record<string, readonly string[]>> = {
  availability: ["description", "percentage"],
  retention: ["description", "period", "unlimited", "timestampField"],
  latency: ["description", "threshold", "sourceTimestampField", "processedTimestampField"],
  freshness: ["description", "threshold", "timestampField"],
  frequency: ["description", "type", "interval", "cron"],
  support: ["description", "time", "responseTime"],
  backup: ["description", "interval", "cron", "recoveryTime", "recoveryPoint"],
};

/** DCS `servicelevels` → ODCS `slaProperties`. */
export function convertServiceLevels(ctx: ConvertContext, value: unknown): Sla[] {
  const root = ctx.object(value, ["servicelevels"], "servicelevels");
  if (!root) return [];
  const out: Sla[] = [];
  for (const [name, level] of Object.entries(root)) {
    const path = ["servicelevels", name];
    const converter = converters[name];
    if (!converter || !isObject(level)) {
      ctx.warn(path, "dcs-unmapped", `service level ${JSON.stringify(name)} has no ODCS equivalent; it was dropped`);
      continue;
    }
    const slas = converter(ctx, level, path);
    if (slas.length === 0) {
      ctx.warn(path, "dcs-unmapped", `service level ${name} has no value to convert; it was dropped`);
    }
    for (const key of Object.keys(level)) {
      if (!knownKeys[name]?.includes(key)) {
        ctx.warn([...path, key], "dcs-unmapped", `${name}.${key} has no ODCS equivalent; it was dropped`);
      }
    }
    out.push(...slas);
  }
  return out;
}
