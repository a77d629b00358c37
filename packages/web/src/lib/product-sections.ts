/** The parts of the product page a reader switches between; each is a URL hash (`#schema`). */
export type ProductSection = "overview" | "schema" | "quality" | "use" | "health" | "monitoring" | "lineage";

export const productSections: readonly { id: ProductSection; label: string }[] = [
  { id: "overview", label: "Overview" },
  { id: "schema", label: "Schema" },
  { id: "quality", label: "Quality & SLAs" },
  { id: "use", label: "Use" },
  { id: "health", label: "Health" },
  { id: "monitoring", label: "Monitoring" },
  { id: "lineage", label: "Lineage" },
];

/** The sections that show one output port's contract, under the port tabs. */
export const portSections: ReadonlySet<ProductSection> = new Set(["schema", "quality", "use"]);

/**
 * Anchors of the page from before it had sections, and of parts inside a section: a link to one
 * opens the section holding it and scrolls there, so links shared earlier keep working.
 */
const anchorSection: Record<string, ProductSection> = {
  about: "overview",
  inputs: "overview",
  team: "overview",
  glossary: "overview",
  history: "overview",
  ports: "schema",
  versions: "schema",
  access: "use",
  incidents: "monitoring",
};

export interface SectionTarget {
  section: ProductSection;
  /** An element inside the section to scroll to; none for the section itself. */
  anchor?: string;
}

/** What a URL hash (`#use`, `#access`, `""`) opens; anything unknown opens the overview. */
export function sectionOfHash(hash: string): SectionTarget {
  let id = hash.replace(/^#/, "");
  try {
    id = decodeURIComponent(id);
  } catch {
    // a malformed escape is just an unknown anchor
  }
  const section = productSections.find((s) => s.id === id);
  if (section) return { section: section.id };
  const holder = anchorSection[id];
  return holder ? { section: holder, anchor: id } : { section: "overview" };
}
