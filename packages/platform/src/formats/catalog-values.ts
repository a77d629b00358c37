/** Values as a database catalog answers them: text that may be null or empty, lists as JSON text. */

export const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** A list a catalog query aggregated as JSON text (`["a","b"]`); anything else is empty. */
export const list = (v: unknown): string[] => {
  if (typeof v !== "string") return [];
  const parsed = JSON.parse(v) as unknown;
  return Array.isArray(parsed) ? parsed.map(String) : [];
};
