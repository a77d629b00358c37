/**
 * How a contract marks data as personal, sensitive or public: the one vocabulary the default
 * policies, masking and the marketplace read. Matching is case-insensitive.
 */

/** Tags or truthy custom properties marking a property as personal or sensitive data. */
export const sensitiveMarkers: readonly string[] = ["pii", "sensitive", "personal-data", "gdpr"];
/** Tags or truthy custom properties that make an output port (or its contract) public. */
export const publicMarkers: readonly string[] = ["public"];
/** Classifications a sensitive property must have; their columns are masked unless granted. */
export const protectedClassifications: readonly string[] = ["confidential", "restricted"];

/** A node's lower-cased tags and the names of its custom properties whose value is not false. */
export function markersOf(node: { tags?: unknown; customProperties?: unknown } | undefined): Set<string> {
  const out = new Set<string>();
  for (const tag of Array.isArray(node?.tags) ? node.tags : []) if (typeof tag === "string") out.add(tag.toLowerCase());
  for (const cp of Array.isArray(node?.customProperties) ? node.customProperties : []) {
    const property = (cp as { property?: unknown } | null)?.property;
    const value = (cp as { value?: unknown }).value;
    if (typeof property === "string" && value !== false && value !== null && value !== "false")
      out.add(property.toLowerCase());
  }
  return out;
}
