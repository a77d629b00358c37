import { arr, customProperty, type Obj, obj, objs, str, text } from "./read.js";

export interface Member {
  name: string;
  username: string | null;
  role: string | null;
  dateIn: string | null;
  dateOut: string | null;
  description: string | null;
  replacedBy: string | null;
}

export interface ProductFacts {
  purpose: string | null;
  usage: string | null;
  limitations: string | null;
  teamName: string | null;
  /** Current members first (no dateOut), then former ones, newest departure first. */
  members: Member[];
  glossary: { term: string; definition: string | null; url: string | null }[];
  support: {
    tool: string | null;
    channel: string | null;
    url: string | null;
    scope: string | null;
    description: string | null;
  }[];
  links: { type: string; url: string; description: string | null }[];
  properties: { name: string; value: string; description: string | null }[];
}

const strOrNull = (v: unknown) => str(v) ?? null;

/** What the product page shows from an ODPS document, read defensively. */
export function productFacts(doc: Obj): ProductFacts {
  const d = doc.description;
  const desc = obj(d);
  const team = obj(doc.team);
  const members = objs(team?.members).map<Member>((m) => ({
    name: str(m.name) ?? str(m.username) ?? "(unnamed)",
    username: strOrNull(m.username),
    role: strOrNull(m.role),
    dateIn: strOrNull(m.dateIn),
    dateOut: strOrNull(m.dateOut),
    description: strOrNull(m.description),
    replacedBy: strOrNull(m.replacedByUsername),
  }));
  members.sort((a, b) => {
    if (!a.dateOut !== !b.dateOut) return a.dateOut ? 1 : -1;
    return (b.dateOut ?? "").localeCompare(a.dateOut ?? "");
  });
  const glossary = arr(customProperty(doc, "glossary")).flatMap((g) => {
    const o = obj(g);
    const term = str(o?.term);
    return term ? [{ term, definition: strOrNull(o?.definition), url: strOrNull(o?.url) }] : [];
  });
  return {
    purpose: desc ? strOrNull(desc.purpose) : strOrNull(d),
    usage: strOrNull(desc?.usage),
    limitations: strOrNull(desc?.limitations),
    teamName: strOrNull(team?.name),
    members,
    glossary,
    support: objs(doc.support).map((s) => ({
      tool: strOrNull(s.tool),
      channel: strOrNull(s.channel),
      url: strOrNull(s.url),
      scope: strOrNull(s.scope),
      description: strOrNull(s.description),
    })),
    links: objs(doc.authoritativeDefinitions).flatMap((l) => {
      const url = str(l.url);
      return url ? [{ type: str(l.type) ?? "link", url, description: strOrNull(l.description) }] : [];
    }),
    properties: objs(doc.customProperties)
      .filter((p) => p.property !== "glossary" && str(p.property))
      .map((p) => ({ name: str(p.property) ?? "", value: text(p.value), description: strOrNull(p.description) })),
  };
}

/** `dataProductType` → `Data product type`, `canonicalUrl` → `Canonical URL`: names as labels. */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase()
    .replace(/\burl\b/g, "URL");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Only http(s) and mailto links become clickable: a document must not smuggle `javascript:` into the page. */
export function safeUrl(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  return /^(https?:|mailto:)/i.test(url.trim()) ? url.trim() : undefined;
}
