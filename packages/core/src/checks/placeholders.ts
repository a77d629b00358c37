/**
 * Placeholder conventions seen in contracts' SQL rules: ODCS `{object}`/`{property}`, DCS
 * `{model}`/`{field}`, and `${table}`/`${column}` from the ODCS schema's own example.
 */
const placeholder = /\$?\{\s*(object|table|model|schema|property|column|field)\s*\}/g;

const roles: Record<string, "relation" | "column"> = {
  object: "relation",
  table: "relation",
  model: "relation",
  schema: "relation",
  property: "column",
  column: "column",
  field: "column",
};

/** Replaces placeholders; returns an error text when a column placeholder has no property to name. */
export function resolvePlaceholders(
  query: string,
  values: { relation: string; column?: string },
): { sql: string } | { error: string } {
  let missing: string | undefined;
  const sql = query.replace(placeholder, (whole, name: string) => {
    const role = roles[name];
    if (role === "relation") return values.relation;
    if (values.column === undefined) {
      missing = whole;
      return whole;
    }
    return values.column;
  });
  return missing === undefined ? { sql } : { error: `${missing} is used in a rule that is not under a property` };
}
