/** Type OIDs both drivers re-parse so rows look the same whichever engine answered. */
export const typeOids = { int8: 20, timestamp: 1114, timestamptz: 1184 } as const;

/** `2024-05-01 10:00:00.123+00` → `2024-05-01T10:00:00.123Z`. */
export function parseTimestamptz(text: string): string {
  const d = new Date(text.replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00"));
  return Number.isNaN(d.getTime()) ? text : d.toISOString();
}

/** Timestamps without a zone are stored as UTC by Quanta's SQL. */
export function parseTimestamp(text: string): string {
  return parseTimestamptz(`${text}+00`);
}

/** Counts and ids fit in a double far beyond any realistic registry. */
export function parseInt8(text: string): number {
  return Number(text);
}
