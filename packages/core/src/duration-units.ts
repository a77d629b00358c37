/**
 * Duration units as contracts, schedules and policies write them (`d`, `days`, `h`, `y` …), in
 * seconds: the one table every reader of a duration uses. A month counts 30 days, a year 365.
 */
export const unitSeconds: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
  mo: 2_592_000,
  month: 2_592_000,
  months: 2_592_000,
  y: 31_536_000,
  yr: 31_536_000,
  year: 31_536_000,
  years: 31_536_000,
};

/** Seconds in one `unit` (case folded), or undefined for a unit no table row names. */
export function secondsPerUnit(unit: string): number | undefined {
  const key = unit.trim().toLowerCase();
  return Object.hasOwn(unitSeconds, key) ? unitSeconds[key] : undefined;
}
