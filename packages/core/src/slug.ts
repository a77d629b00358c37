/**
 * `My Orders!` → `my-orders`, `Équipe Données` → `equipe-donnees`: letters (accents dropped), digits
 * and single dashes, at most 63 characters, so the result is safe in YAML, paths and URLs: what
 * `quanta init` names a product and its folder.
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

/**
 * The registry's team id for a team name (`Sales Ops` → `sales-ops`), `team` when none is left.
 * Its rule is the one ids were stored under from the start (lower case, every run of anything but
 * a-z and 0-9 a dash, no length cap), so a stored team keeps matching the name that made it: no
 * accent folding, which would turn `Équipe` into `equipe` where the store holds `quipe`.
 */
export const teamIdOf = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "") || "team";
