import { describe, expect, it } from "vitest";
import {
  type Field,
  type IndexedProduct,
  type QueryWord,
  SearchIndex,
  type Terms,
  tsvectorTerms,
} from "./search-index.js";

const product = (
  id: string,
  over: Partial<Omit<IndexedProduct, "lexemes">> & { a?: string[]; b?: string[]; c?: string[]; d?: string[] } = {},
): IndexedProduct => {
  const { a = [], b = [], c = [], d = [], ...rest } = over;
  const fields = new Map<string, Field>();
  for (const [field, lexemes] of [d, c, b, a].entries()) for (const l of lexemes) fields.set(l, field as Field);
  return { id, name: id, domain: null, team: null, status: "active", tags: [], ...rest, terms: termsOf(fields) };
};
const termsOf =
  (fields: Map<string, Field>): Terms =>
  (visit) => {
    for (const [lexeme, field] of fields) visit(lexeme, field);
  };
/** What a `Terms` visits, in order. */
const visited = (terms: Terms) => {
  const out: [string, Field][] = [];
  terms((lexeme, field) => out.push([lexeme, field]));
  return out;
};
/** Each word with one alternative of one lexeme. */
const words = (...lexemes: string[]): QueryWord[] => lexemes.map((l) => ({ exact: [[l]], near: [] }));
const all = { limit: 100, offset: 0 };

function search(index: SearchIndex, q: QueryWord[] | undefined, filter = {}, page = all) {
  return index.search(q, filter, page.offset, page.limit);
}

describe("SearchIndex", () => {
  it("ranks a name match above tags, tags above schema names, and prose last, ties by name", () => {
    const index = new SearchIndex();
    index.upsert([
      product("prose", { name: "A prose", d: ["temperatur"] }),
      product("schema", { name: "Schema", c: ["temperatur"] }),
      product("tag", { name: "Tagged", b: ["temperatur"] }),
      product("name-2", { name: "Temperature B", a: ["temperatur"] }),
      product("name-1", { name: "Temperature a", a: ["temperatur"], d: ["temperatur"] }),
      product("other", { name: "Other", a: ["sale"] }),
    ]);
    const hit = search(index, words("temperatur"));
    expect(hit.ids).toEqual(["name-1", "name-2", "tag", "schema", "prose"]);
    expect(hit.scores).toEqual([3, 3, 0.4, 0.2, 0]);
    expect(hit.total).toBe(5);
  });

  it("needs every word (AND), each through any alternative (OR), and scores the mean of the words", () => {
    const index = new SearchIndex();
    index.upsert([
      product("both", { name: "Sea level", a: ["sea", "level"] }),
      product("split", { name: "Sea", a: ["sea"], c: ["level"] }),
      product("one", { name: "Level only", a: ["level"] }),
      product("typo", { name: "Shipments", a: ["shipment"] }),
    ]);
    const hit = search(index, words("sea", "level"));
    expect(hit.ids).toEqual(["both", "split"]);
    expect(hit.scores).toEqual([3, 0.6]);
    // A word with alternatives (a typo widened to catalogue words) matches through any of them.
    expect(search(index, [{ exact: [["shipmnet"]], near: [["shipment"]] }]).ids).toEqual(["typo"]);
    // An alternative of several lexemes needs them all.
    expect(search(index, [{ exact: [["sea", "level"]], near: [] }]).ids).toEqual(["both", "split"]);
    expect(search(index, [{ exact: [["sea", "shipment"]], near: [] }]).ids).toEqual([]);
    expect(search(index, words("sea", "nothing"))).toEqual({ ids: [], scores: [], total: 0 });
    expect(search(index, [])).toEqual({ ids: [], scores: [], total: 0 });
  });

  it("ranks a word spelt as typed above the same field reached through a typo, a typo in the name above a mention", () => {
    const index = new SearchIndex();
    index.upsert([
      product("spelt", { name: "Lever arms", a: ["lever"] }),
      product("typo-name", { name: "Level", a: ["level"] }),
      product("spelt-tag", { name: "Tagged", b: ["lever"] }),
      product("typo-tag", { name: "Also tagged", b: ["level"] }),
      product("both", { name: "Both", a: ["level"], b: ["lever"] }),
    ]);
    // `levr`: the catalogue knows `lever` (as typed, say) and `level` (one edit away).
    const hit = search(index, [{ exact: [["lever"]], near: [["level"]] }]);
    expect(hit.ids).toEqual(["spelt", "both", "typo-name", "spelt-tag", "typo-tag"]);
    expect(hit.scores).toEqual([3, 2.75, 2.75, 0.4, 0.3]);
  });

  it("matches a joined word through its parts, as one alternative, and scores the word's best way", () => {
    const index = new SearchIndex();
    index.upsert([
      product("sea-level", { name: "Sea level", a: ["sea", "level"] }),
      product("sea", { name: "Sea ice", a: ["sea", "ice"] }),
      product("sealevel", { name: "Sealevel", a: ["sealevel"] }),
    ]);
    const joined = [{ exact: [["sealevel"]], near: [["sea", "level"]] }];
    expect(search(index, joined)).toEqual({ ids: ["sealevel", "sea-level"], scores: [3, 2.75], total: 2 });
    // Every word of the query still needs a match: a near word is one word.
    expect(search(index, [...joined, ...words("ice")]).ids).toEqual([]);
  });

  it("filters matches and listings, and counts every match past the page", () => {
    const index = new SearchIndex();
    index.upsert(
      Array.from({ length: 30 }, (_, i) =>
        product(`p${String(i).padStart(2, "0")}`, {
          domain: i % 2 === 0 ? "even" : "odd",
          team: `t${i % 3}`,
          status: i < 5 ? "draft" : "active",
          tags: i % 5 === 0 ? ["five"] : [],
          b: ["gauge"],
        }),
      ),
    );
    expect(search(index, words("gauge"), { domain: "odd" }, { offset: 10, limit: 10 })).toMatchObject({
      total: 15,
      ids: ["p21", "p23", "p25", "p27", "p29"],
    });
    expect(search(index, undefined, { tag: "five", team: "t0" }).ids).toEqual(["p00", "p15"]);
    expect(search(index, undefined, { status: "draft" }).total).toBe(5);
    expect(search(index, words("gauge"), { ids: new Set(["p03", "p04", "nope"]) }).ids).toEqual(["p03", "p04"]);
    expect(search(index, undefined, {}, { offset: 28, limit: 5 })).toEqual({ ids: ["p28", "p29"], total: 30 });
  });

  it("counts facets over every match, each facet under every filter but its own", () => {
    const index = new SearchIndex();
    index.upsert([
      product("a", { domain: "sales", team: "t1", tags: ["gdpr", "daily"], b: ["order"] }),
      product("b", { domain: "sales", team: "t2", tags: ["daily", "daily"], b: ["order"] }),
      product("c", { domain: "climate", team: "t1", tags: ["gdpr"], status: "draft", b: ["order"] }),
      product("d", { domain: "climate", team: "t3", tags: [], d: ["weather"] }),
    ]);
    expect(index.facets(words("order"), {})).toEqual({
      domain: [
        { value: "sales", count: 2 },
        { value: "climate", count: 1 },
      ],
      team: [
        { value: "t1", count: 2 },
        { value: "t2", count: 1 },
      ],
      tag: [
        { value: "daily", count: 2 },
        { value: "gdpr", count: 2 },
      ],
      status: [
        { value: "active", count: 2 },
        { value: "draft", count: 1 },
      ],
    });
    // Choosing a domain narrows the other facets, and still lists the other domains.
    const sales = index.facets(undefined, { domain: "sales" });
    expect(sales.domain).toEqual([
      { value: "climate", count: 2 },
      { value: "sales", count: 2 },
    ]);
    expect(sales.team).toEqual([
      { value: "t1", count: 1 },
      { value: "t2", count: 1 },
    ]);
    expect(index.facets(undefined, { domain: "sales", ids: new Set(["b"]) }).team).toEqual([{ value: "t2", count: 1 }]);
    expect(index.facets(words("nothing"), {}).domain).toEqual([]);
  });

  it("moves a product out of its old words and listing place when it changes", () => {
    const index = new SearchIndex();
    index.upsert([product("x", { name: "Alpha", a: ["alpha"] }), product("y", { name: "Beta", a: ["beta"] })]);
    index.upsert([product("x", { name: "Zulu", a: ["zulu"], b: ["beta"] })]);
    expect(index.size).toBe(2);
    expect(search(index, words("alpha")).total).toBe(0);
    expect(search(index, words("beta"))).toMatchObject({ ids: ["y", "x"], scores: [3, 0.4] });
    expect(search(index, undefined).ids).toEqual(["y", "x"]);
  });

  it("answers as a brute-force scan does, for bulk loads, single updates and deep pages", () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const vocabulary = ["air", "sea", "ice", "wind", "rain", "soil", "snow", "heat"];
    const pick = () => vocabulary.filter(() => random() < 0.3);
    const make = (i: number) =>
      product(`id-${i}`, { name: `N${Math.floor(random() * 50)}`, a: pick(), b: pick(), c: pick(), d: pick() });
    const products = new Map<string, IndexedProduct>();
    const index = new SearchIndex();
    const bulk = Array.from({ length: 1_500 }, (_, i) => make(i));
    index.upsert(bulk);
    for (const p of bulk) products.set(p.id, p);
    for (let i = 0; i < 300; i++) {
      const p = make(Math.floor(random() * 1_800));
      index.upsert([p]);
      products.set(p.id, p);
    }
    const fieldsOf = new Map<IndexedProduct, Map<string, Field>>();
    const fields = (p: IndexedProduct) => {
      let known = fieldsOf.get(p);
      if (!known) {
        known = new Map(visited(p.terms));
        fieldsOf.set(p, known);
      }
      return known;
    };
    const field = (p: IndexedProduct, lexeme: string) => fields(p).get(lexeme) ?? 0;
    const weight = [0, 0.2, 0.4, 1];
    const byName = (x: IndexedProduct, y: IndexedProduct) =>
      x.name.toLowerCase() < y.name.toLowerCase()
        ? -1
        : x.name.toLowerCase() > y.name.toLowerCase()
          ? 1
          : x.id < y.id
            ? -1
            : 1;
    for (const query of [["air"], ["sea", "ice"], ["wind", "rain", "snow"]]) {
      const expected = [...products.values()]
        .filter((p) => query.every((w) => fields(p).has(w)))
        .map((p) => {
          const best = query.map((w) => field(p, w));
          const score =
            (best.every((f) => f === 3) ? 2 : 0) + best.reduce((sum: number, f) => sum + weight[f]!, 0) / query.length;
          return { p, score: Math.round(score * 10_000) / 10_000 };
        })
        .sort((x, y) => y.score - x.score || byName(x.p, y.p));
      for (const [offset, limit] of [
        [0, 20],
        [40, 100],
        [0, 2_000],
      ] as const) {
        const hit = search(index, words(...query), {}, { offset, limit });
        expect(hit.total).toBe(expected.length);
        expect(hit.ids).toEqual(expected.slice(offset, offset + limit).map((e) => e.p.id));
        expect(hit.scores).toEqual(expected.slice(offset, offset + limit).map((e) => e.score));
      }
    }
    const listed = [...products.values()].sort(byName).map((p) => p.id);
    expect(search(index, undefined, {}, { offset: 100, limit: 50 }).ids).toEqual(listed.slice(100, 150));
  });

  it("reads a tsvector's text form: each lexeme once, with its best weight", () => {
    expect(visited(tsvectorTerms("'air':1A,7 'it''s':3B,9C 'back\\\\slash':4 'c:\\\\tmp':2C,5 'stripped'"))).toEqual([
      ["air", 3],
      ["it's", 2],
      ["back\\slash", 0],
      ["c:\\tmp", 1],
      ["stripped", 0],
    ]);
    expect(visited(tsvectorTerms(""))).toEqual([]);
  });
});
