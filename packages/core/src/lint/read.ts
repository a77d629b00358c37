/** Defensive readers: lint runs on schema-invalid documents, so every value may have any type. */
export type Obj = Record<string, unknown>;

export function asObj(value: unknown): Obj | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
}

export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Only non-empty strings count as names. */
export function nameOf(value: unknown): string | undefined {
  const name = asObj(value)?.name;
  return typeof name === "string" && name !== "" ? name : undefined;
}
