/** Bytes as people read them: 1.2 MB. */
export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

/** A date (ISO text or Date) in the reader's locale; "—" for none. */
export function formatWhen(at: string | Date | null | undefined, dateOnly = false): string {
  if (!at) return "—";
  const d = typeof at === "string" ? new Date(at) : at;
  if (Number.isNaN(d.getTime())) return String(at);
  return dateOnly ? d.toLocaleDateString() : d.toLocaleString();
}
