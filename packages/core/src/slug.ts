/**
 * `My Orders!` → `my-orders`, `Équipe Données` → `equipe-donnees`: letters (accents dropped), digits
 * and single dashes, at most 63 characters, so the result is safe in YAML, paths and URLs. The one
 * slug of Quanta: product folder names, and the id a team's name becomes.
 */
export function slugify(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
}

/** The registry's team id for a team name: its slug (`Sales Ops` → `sales-ops`), `team` when none is left. */
export const teamIdOf = (name: string): string => slugify(name) || "team";
