import { secondsPerUnit } from "@quanta/core";
import { arr, type Obj, obj, str } from "../registry/read.js";

/** How often a contract is tested: every `ms` (aligned to the epoch), or at the minutes a cron names. */
export type Schedule =
  | { kind: "interval"; ms: number; text: string }
  | { kind: "cron"; fields: CronFields; text: string };

interface CronFields {
  minute: Set<number>;
  hour: Set<number>;
  dayOfMonth: Set<number>;
  month: Set<number>;
  dayOfWeek: Set<number>;
  /** Cron's rule: when both day fields are restricted, a day matching either one is due. */
  anyDay: boolean;
}

/** Without an SLA frequency a contract is tested hourly. */
export const defaultSchedule: Schedule = { kind: "interval", ms: 3_600_000, text: "1 h (default)" };

/** The shortest schedule accepted, so one contract cannot keep the workers busy on its own. */
export const minimumIntervalMs = 60_000;

const cronRanges: [keyof Omit<CronFields, "anyDay">, number, number][] = [
  ["minute", 0, 59],
  ["hour", 0, 23],
  ["dayOfMonth", 1, 31],
  ["month", 1, 12],
  ["dayOfWeek", 0, 6],
];

function cronField(text: string, min: number, max: number): Set<number> | string {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) return `"${part}" is not a number, range, list or step`;
    const step = m[4] ? Number(m[4]) : 1;
    const from = m[1] === "*" ? min : Number(m[2]);
    const to = m[1] === "*" ? max : m[3] ? Number(m[3]) : m[4] ? max : from;
    if (step < 1 || from < min || to > max + (max === 6 ? 1 : 0) || from > to)
      return `"${part}" is outside ${min}-${max}`;
    for (let v = from; v <= to; v += step) out.add(max === 6 && v === 7 ? 0 : v);
  }
  return out;
}

/** A 5-field cron (minute hour day-of-month month day-of-week), UTC. */
export function parseCron(text: string): Schedule | { error: string } {
  const parts = text.trim().split(/\s+/);
  if (parts.length !== 5) return { error: `cron "${text}" needs 5 fields (minute hour day month weekday)` };
  const fields: Partial<CronFields> = {};
  for (const [i, [name, min, max]] of cronRanges.entries()) {
    const parsed = cronField(parts[i] as string, min, max);
    if (typeof parsed === "string") return { error: `cron "${text}": ${name} ${parsed}` };
    fields[name] = parsed;
  }
  return {
    kind: "cron",
    text,
    fields: { ...(fields as CronFields), anyDay: parts[2] !== "*" && parts[4] !== "*" },
  };
}

/** `6 h`, `1 d`, `30 minutes` → an interval; anything else with 5 fields → a cron. */
export function parseSchedule(text: string): Schedule | { error: string } {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(text);
  if (m) {
    const perUnit = secondsPerUnit(m[2] as string);
    const unit = perUnit === undefined ? undefined : perUnit * 1000;
    if (!unit) return { error: `unknown unit "${m[2]}" (use s, m, h, d, w, mo, y)` };
    const ms = Number(m[1]) * unit;
    if (ms < minimumIntervalMs) return { error: `"${text}" is shorter than the minimum of 1 minute` };
    return { kind: "interval", ms, text: text.trim() };
  }
  return parseCron(text);
}

/**
 * The schedule a contract's SLA declares: its `frequency` property, as a cron when it has
 * `scheduler: cron` and a `schedule`, else as `value` `unit`. Undeclared or unreadable: the default.
 */
export function contractSchedule(contract: Obj): Schedule {
  const frequency = arr(contract.slaProperties)
    .map(obj)
    .find((p) => str(p?.property)?.toLowerCase() === "frequency");
  if (!frequency) return defaultSchedule;
  const cron = str(frequency.schedule);
  if (cron) {
    const parsed = parseCron(cron);
    if (!("error" in parsed)) return parsed;
  }
  const value = str(frequency.value);
  if (value) {
    const parsed = parseSchedule(`${value} ${str(frequency.unit) ?? "d"}`);
    if (!("error" in parsed)) return parsed;
  }
  return defaultSchedule;
}

function cronMatches(f: CronFields, d: Date): boolean {
  const dom = f.dayOfMonth.has(d.getUTCDate());
  const dow = f.dayOfWeek.has(d.getUTCDay());
  const day = f.anyDay ? dom || dow : dom && dow;
  return day && f.month.has(d.getUTCMonth() + 1) && f.hour.has(d.getUTCHours()) && f.minute.has(d.getUTCMinutes());
}

/**
 * The start of the slot `now` falls in: the last due time at or before `now`. One contract test
 * per slot: the slot is part of the job key, so replicas enqueueing it at once create one job.
 */
export function currentSlot(schedule: Schedule, now: Date): Date {
  if (schedule.kind === "interval") return new Date(Math.floor(now.getTime() / schedule.ms) * schedule.ms);
  const f = schedule.fields;
  const t = new Date(now.getTime());
  t.setUTCSeconds(0, 0);
  // Walk back: whole days that cannot match, then whole hours, then minutes (at most ~4 years).
  for (let guard = 0; guard < 2_000_000; guard++) {
    const dom = f.dayOfMonth.has(t.getUTCDate());
    const dow = f.dayOfWeek.has(t.getUTCDay());
    const dayOk = (f.anyDay ? dom || dow : dom && dow) && f.month.has(t.getUTCMonth() + 1);
    if (!dayOk) {
      t.setUTCHours(0, 0, 0, 0);
      t.setTime(t.getTime() - 60_000);
      continue;
    }
    if (!f.hour.has(t.getUTCHours())) {
      t.setUTCMinutes(0, 0, 0);
      t.setTime(t.getTime() - 60_000);
      continue;
    }
    if (cronMatches(f, t)) return t;
    t.setTime(t.getTime() - 60_000);
  }
  return new Date(0);
}

/** How far the wall clock of `timeZone` is ahead of UTC at `at`, in milliseconds. */
function zoneOffsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * `currentSlot` of a cron read on the wall clock of `timeZone` (IANA): the slot is found on the
 * zone's local time and turned back into an instant with the zone's offset at that slot (two
 * passes, so a slot on the other side of a daylight-saving change gets its own offset). Never later
 * than `now`.
 */
export function currentSlotIn(schedule: Schedule, now: Date, timeZone: string): Date {
  if (timeZone === "UTC" || schedule.kind === "interval") return currentSlot(schedule, now);
  const wallNow = new Date(now.getTime() + zoneOffsetMs(now, timeZone));
  const wallSlot = currentSlot(schedule, wallNow);
  const first = new Date(wallSlot.getTime() - zoneOffsetMs(wallSlot, timeZone));
  const slot = new Date(wallSlot.getTime() - zoneOffsetMs(first, timeZone));
  return slot.getTime() > now.getTime() ? first : slot;
}
