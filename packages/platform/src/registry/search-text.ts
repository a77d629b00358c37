import type { SearchText } from "./product-repository.js";
import { arr, obj, str, strs } from "./read.js";

/** `air_temperature`, `stationId`, `climate.sea-level` → their words, so each is searchable. */
export function identifierWords(id: string): string {
  return id
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_.\-/:]+/g, " ")
    .trim();
}

function glossaryOf(product: unknown): { term: string; definition: string }[] {
  const props = arr(obj(product)?.customProperties).map(obj);
  const glossary = props.find((p) => p?.property === "glossary");
  return arr(glossary?.value).flatMap((g) => {
    const o = obj(g);
    const term = str(o?.term);
    return term ? [{ term, definition: str(o?.definition) ?? "" }] : [];
  });
}

function descriptionParts(d: unknown): string[] {
  const o = obj(d);
  if (!o) return str(d) ? [str(d) as string] : [];
  return [str(o.purpose), str(o.usage), str(o.limitations)].flatMap((x) => x ?? []);
}

/** The product's one-line summary: its stated purpose. */
export function summaryOf(product: unknown): string {
  const d = obj(product)?.description;
  const text = str(obj(d)?.purpose) ?? str(d) ?? "";
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}

/**
 * What search matches, by weight (ADR 0008): A the name and id; B tags, glossary terms and the
 * purpose; C schema objects and properties (names, business names); D every other description.
 * `words` gathers names and terms, not prose, for typo-tolerant trigram matching.
 */
export function searchText(product: unknown, contracts: readonly unknown[]): SearchText {
  const p = obj(product) ?? {};
  const name = str(p.name) ?? "";
  const id = str(p.id) ?? "";
  const glossary = glossaryOf(product);
  const ports = ["inputPorts", "outputPorts", "managementPorts"].flatMap((k) => arr(p[k]).map(obj));
  const tags = new Set([...strs(p.tags), ...ports.flatMap((x) => strs(x?.tags))]);
  const schemaNames: string[] = [];
  const d: string[] = [...descriptionParts(p.description).slice(1), ...ports.flatMap((x) => str(x?.description) ?? [])];
  d.push(...glossary.map((g) => g.definition));
  for (const c of contracts.map(obj)) {
    for (const t of strs(c?.tags)) tags.add(t);
    d.push(...descriptionParts(c?.description), str(c?.name) ?? "");
    for (const o of arr(c?.schema).map(obj)) {
      schemaNames.push(...[o?.name, o?.businessName, o?.physicalName].flatMap((x) => str(x) ?? []));
      d.push(str(o?.description) ?? "");
      for (const prop of arr(o?.properties).map(obj)) {
        schemaNames.push(...[prop?.name, prop?.businessName].flatMap((x) => str(x) ?? []));
        d.push(str(prop?.description) ?? "");
      }
    }
  }
  const tagList = [...tags];
  const schema = [...new Set(schemaNames.map(identifierWords))];
  const words = new Set(
    [name, identifierWords(id), ...tagList, ...glossary.map((g) => g.term), ...schema].map((w) => w.toLowerCase()),
  );
  return {
    a: `${name} ${identifierWords(id)}`.trim(),
    b: [...tagList.map(identifierWords), ...glossary.map((g) => g.term), summaryOf(product)].join(" "),
    c: schema.join(" "),
    d: d.filter(Boolean).join("\n"),
    words: [...words].filter(Boolean).join(" "),
  };
}
