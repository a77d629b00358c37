/** `certification=curated` lists curated and authoritative products: a level and every level above it. */
export function levelsFrom(level: string): string[] {
  const order = ["raw", "curated", "authoritative"];
  if (level === "none") return ["none"];
  const i = order.indexOf(level);
  return i < 0 ? [] : order.slice(i);
}
