/**
 * What a service-level bar shows, from the API's numbers. `observe` answers its SLIs (quality and
 * availability `ratio`) and the availability objective as percentages (99.9 means 99.9 %), so they
 * are shown as they come and only divided by 100 to place them on the bar.
 */
export interface ServiceLevelBar {
  /** "99.5 %", or "no data" when nothing was measured. */
  text: string;
  /** "99.9 %" for the objective, or null when there is none. */
  objectiveText: string | null;
  /** Share of the bar to fill, 0..1 (null: nothing measured). */
  fill: number | null;
  /** Where the objective mark goes, 0..1 (null: no objective). */
  objectiveAt: number | null;
  /** Whether the measured value meets the objective (null when either is missing). */
  met: boolean | null;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const finite = (x: number | null | undefined): x is number => typeof x === "number" && Number.isFinite(x);
/** At most one decimal, no trailing zero: 100 %, 99.9 %, 33.3 %. */
const percentText = (p: number) => `${Math.round(p * 10) / 10} %`;

export function serviceLevelBar(percent: number | null, objectivePercent: number | null): ServiceLevelBar {
  const value = finite(percent) ? percent : null;
  const objective = finite(objectivePercent) ? objectivePercent : null;
  return {
    text: value === null ? "no data" : percentText(value),
    objectiveText: objective === null ? null : percentText(objective),
    fill: value === null ? null : clamp01(value / 100),
    objectiveAt: objective === null ? null : clamp01(objective / 100),
    met: value !== null && objective !== null ? value >= objective : null,
  };
}
