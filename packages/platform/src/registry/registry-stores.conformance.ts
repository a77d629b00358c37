import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EventLog } from "../audit/event-log.js";
import { publishEvent } from "../events/publish-event.js";
import { UsageRepository } from "../harness/usage-repository.js";
import { TeamRepository } from "../identity/team-repository.js";
import { TestRunRepository } from "../jobs/test-run-repository.js";
import { type Database, sqlState, sqlStates } from "../storage/database.js";
import { ContractRepository } from "./contract-repository.js";
import { type ProductRecord, ProductRepository } from "./product-repository.js";
import { productSearchOf } from "./product-search.js";

/**
 * Every case of the suite of the registry's stores and the records written beside a product (its
 * team's members, its test runs, its usage, the event log), on every driver. A driver may skip one
 * only by name and with a reason.
 */
export type RegistryStoreCase =
  | "published versions are immutable"
  | "events are append-only"
  | "team members keep their role history"
  | "test runs store each check result"
  | "usage is summed per consumer"
  | "products are searched and paginated"
  | "search widens typos to catalogue words and counts every match"
  | "search tolerates typos in short words and joined words, spelt matches first"
  | "search sees every commit of every replica";

export interface RegistryStoreTarget {
  /** A migrated, empty store for this file. */
  open(): Promise<Database>;
  /** Another connection to the same store, as a second replica would open it. */
  openReplica?: () => Promise<Database>;
  skip?: Partial<Record<RegistryStoreCase, string>>;
}

const product = (id: string, over: Partial<ProductRecord> = {}): ProductRecord => ({
  id,
  name: id,
  version: "1.0.0",
  status: "active",
  domainId: null,
  teamId: null,
  summary: "",
  tags: [],
  search: { a: id, b: "", c: "", d: "", words: id },
  ...over,
});

export function registryStoreConformance(name: string, target: RegistryStoreTarget): void {
  describe(`registry store conformance: ${name}`, () => {
    let db: Database;
    beforeAll(async () => {
      db = await target.open();
      await db.query(
        "INSERT INTO data_products (id, name, version, status) VALUES ('base', 'Base', '1.0.0', 'active')",
      );
      await db.query(
        `INSERT INTO product_versions (product_id, version, document, files) VALUES ('base', '1.0.0', '{}', '[]')`,
      );
      await new ContractRepository(db).publish({
        contractId: "base.c",
        version: "1.0.0",
        productId: "base",
        productVersion: "1.0.0",
        name: "C",
        status: "active",
        file: "c.odcs.yaml",
        source: "kind: DataContract",
        sha256: "abc",
        document: { kind: "DataContract" },
      });
    });
    afterAll(async () => {
      await db?.close();
    });

    const test = (c: RegistryStoreCase, fn: () => Promise<void>) => {
      const reason = target.skip?.[c];
      if (reason) it.skip(`${c} (skipped: ${reason})`, fn);
      else it(c, fn);
    };

    test("published versions are immutable", async () => {
      const attempts = [
        "UPDATE contract_versions SET source = 'changed' WHERE contract_id = 'base.c'",
        "DELETE FROM contract_versions WHERE contract_id = 'base.c'",
        "TRUNCATE contract_versions CASCADE",
        "UPDATE product_versions SET files = '[1]' WHERE product_id = 'base'",
        "DELETE FROM product_versions WHERE product_id = 'base'",
      ];
      for (const sql of attempts) {
        const err = await db.query(sql).catch((e: unknown) => e);
        expect(sqlState(err), sql).toBe(sqlStates.immutable);
        expect(String((err as Error).message)).toMatch(/append-only/);
      }
      const v = await new ContractRepository(db).version("base.c", "1.0.0");
      expect(v).toMatchObject({ source: "kind: DataContract", sha256: "abc", document: { kind: "DataContract" } });
      // Publishing the same version again adds nothing and changes nothing.
      const again = await new ContractRepository(db).publish({
        contractId: "base.c",
        version: "1.0.0",
        productId: "base",
        productVersion: "1.0.0",
        name: "C",
        status: "active",
        file: "c.odcs.yaml",
        source: "something else",
        sha256: "def",
        document: {},
      });
      expect(again).toEqual({ created: false });
      expect((await new ContractRepository(db).version("base.c", "1.0.0"))?.sha256).toBe("abc");
    });

    test("events are append-only", async () => {
      const log = new EventLog(db);
      const first = await publishEvent(
        db,
        {
          type: "product.published",
          subject: "base",
          actor: "ingrid",
          payload: { version: "1.0.0" },
        },
        {},
      );
      await publishEvent(db, { type: "product.published", subject: "other", payload: {} }, {});
      expect(first).toMatchObject({
        type: "product.published",
        subject: "base",
        actor: "ingrid",
        payload: { version: "1.0.0" },
      });
      expect(first.at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect((await log.list({ subject: "base" })).map((e) => e.id)).toEqual([first.id]);
      expect(await log.list({ afterId: first.id, subject: "base" })).toEqual([]);
      for (const sql of ["UPDATE events SET type = 'x'", "DELETE FROM events", "TRUNCATE events"]) {
        expect(sqlState(await db.query(sql).catch((e: unknown) => e)), sql).toBe(sqlStates.immutable);
      }
    });

    test("team members keep their role history", async () => {
      const teams = new TeamRepository(db);
      await teams.ensureDomain("climate");
      await teams.ensureTeam({ id: "observations", name: "Observations", domainId: "climate" });
      await teams.ensureTeam({ id: "observations", name: "Observations team" }); // keeps the domain
      await teams.ensureTeam({ id: "observations", name: "Observations team", domainId: "finance" }); // still
      const first = await teams.syncMembers("observations", [
        { username: "ingrid", role: "owner", dateIn: "2023-03-01" },
        { username: "pieter", role: "engineer", dateIn: "2023-03-01" },
      ]);
      expect(first).toEqual({ joined: 2, left: 0 });
      const second = await teams.syncMembers("observations", [
        { username: "ingrid", role: "owner", dateIn: "2023-03-01" },
        { username: "pieter", role: "engineer", dateIn: "2023-03-01", dateOut: "2024-09-30" },
        { username: "sanne", role: "engineer", dateIn: "2024-10-01" },
      ]);
      expect(second).toEqual({ joined: 1, left: 1 });
      expect(
        await teams.syncMembers("observations", [{ username: "sanne", role: "engineer", dateIn: "2024-10-01" }]),
      ).toEqual({
        joined: 0,
        left: 1,
      });
      const now = await teams.membersAt("observations");
      expect(now.map((m) => `${m.username}:${m.role}`)).toEqual(["sanne:engineer"]);
      const then = await teams.membersAt("observations", "2024-01-01T00:00:00Z");
      expect(then.map((m) => `${m.username}:${m.role}`)).toEqual(["pieter:engineer", "ingrid:owner"]);
      const history = await teams.history("observations");
      expect(history.find((m) => m.username === "pieter")).toMatchObject({
        validFrom: "2023-03-01T00:00:00.000Z",
        validTo: "2024-09-30T00:00:00.000Z",
      });
      const { rows } = await db.query<{ name: string; domain_id: string }>(
        "SELECT name, domain_id FROM teams WHERE id = 'observations'",
      );
      expect(rows).toEqual([{ name: "Observations team", domain_id: "climate" }]);
    });

    test("test runs store each check result", async () => {
      const runs = new TestRunRepository(db);
      const run = await runs.start({
        productId: "base",
        contractId: "base.c",
        contractVersion: "1.0.0",
        server: "local",
      });
      expect(run).toMatchObject({ status: "running", finishedAt: null, contractVersion: "1.0.0" });
      await runs.finish(run.id, "failed", [
        {
          checkId: "row_count",
          status: "passed",
          value: 1200,
          threshold: { mustBeGreaterOrEqualTo: 1000 },
          sql: "SELECT count(*) FROM t",
        },
        { checkId: "unique", status: "failed", value: 3, threshold: { mustBe: 0 }, reason: "3 duplicates" },
      ]);
      const [latest] = await runs.latest("base");
      expect(latest).toMatchObject({ id: run.id, status: "failed" });
      expect(latest?.finishedAt).toMatch(/T/);
      expect(await runs.results(run.id)).toEqual([
        {
          checkId: "row_count",
          dataset: null,
          status: "passed",
          value: 1200,
          threshold: { mustBeGreaterOrEqualTo: 1000 },
          sql: "SELECT count(*) FROM t",
          reason: null,
        },
        {
          checkId: "unique",
          dataset: null,
          status: "failed",
          value: 3,
          threshold: { mustBe: 0 },
          sql: null,
          reason: "3 duplicates",
        },
      ]);
      // A run must point at a published contract version.
      const err = await runs
        .start({ productId: "base", contractId: "base.c", contractVersion: "9.9.9" })
        .catch((e: unknown) => e);
      expect(sqlState(err)).toBe(sqlStates.foreignKeyViolation);
    });

    test("usage is summed per consumer", async () => {
      const usage = new UsageRepository(db);
      await usage.record({ productId: "base", port: "p", consumer: "ana", action: "consume", rows: 10, bytes: 100 });
      await usage.record({ productId: "base", port: "p", consumer: "ana", action: "consume", rows: 5, bytes: 50 });
      await usage.record({ productId: "base", consumer: "bo", action: "discover" });
      expect(await usage.byConsumer("base")).toEqual([
        { consumer: "ana", reads: 2, rows: 15, bytes: 150 },
        { consumer: "bo", reads: 1, rows: 0, bytes: 0 },
      ]);
      expect(await usage.byConsumer("base", "2999-01-01")).toEqual([]);
    });

    test("products are searched and paginated", async () => {
      const products = new ProductRepository(db);
      const catalogue = productSearchOf(db);
      const search = (a: string, b: string, c: string, d: string, words: string) => ({ a, b, c, d, words });
      await products.insert(
        product("s.temperature", {
          name: "Daily temperature",
          domainId: null,
          tags: ["climate"],
          search: search(
            "Daily temperature s temperature",
            "climate",
            "daily_temperature",
            "",
            "daily temperature climate",
          ),
        }),
      );
      await products.insert(
        product("s.readings", {
          name: "Station readings",
          tags: ["climate", "raw"],
          search: search(
            "Station readings",
            "climate raw",
            "air_temperature",
            "The temperature as the station measured it",
            "station readings air temperature",
          ),
        }),
      );
      await products.insert(
        product("s.sales", {
          name: "Sales",
          tags: ["retail"],
          search: search("Sales", "retail", "", "", "sales retail"),
        }),
      );
      const hit = await catalogue.search({ q: "temperature", limit: 10, offset: 0 });
      expect(hit.items.map((p) => p.id)).toEqual(["s.temperature", "s.readings"]);
      expect(hit.total).toBe(2);
      expect(hit.items[0]!.score).toBeGreaterThan(hit.items[1]!.score!);
      const typo = await catalogue.search({ q: "temprature", limit: 10, offset: 0 });
      expect(typo.items[0]?.id).toBe("s.temperature");
      const page = await catalogue.search({ tag: "climate", limit: 1, offset: 1 });
      expect(page).toMatchObject({ total: 2, items: [{ id: "s.readings" }] });
      expect(await catalogue.search({ q: "zzzzqqq", limit: 5, offset: 0 })).toEqual({ items: [], total: 0 });
      expect((await catalogue.search({ q: "temperature", limit: 5, offset: 99 })).total).toBe(2);
    });

    test("search widens typos to catalogue words and counts every match", async () => {
      const products = new ProductRepository(db);
      const catalogue = productSearchOf(db);
      const gauges = Array.from({ length: 23 }, (_, i) => `w.gauge-${String(i).padStart(2, "0")}`);
      for (const id of gauges) {
        await products.insert(
          product(id, {
            name: `Wind gauge ${id.slice(-2)}`,
            search: {
              a: `Wind gauge ${id}`,
              b: "",
              c: "anemometer_reading",
              d: "",
              words: `wind gauge ${id} anemometer reading`,
            },
          }),
        );
      }
      // The trigger keeps the catalogue's words (never prose, never words under 3 characters).
      const lexicon = async (words: string[]) =>
        (
          await db.query<{ word: string }>("SELECT word FROM search_lexicon WHERE word = ANY($1) ORDER BY word", [
            words,
          ])
        ).rows.map((r) => r.word);
      expect(await lexicon(["anemometer", "gauge", "wind", "w", "00"])).toEqual(["anemometer", "gauge", "wind"]);
      const first = gauges[0] as string;
      expect(
        await products.update(
          product(first, { search: { a: "", b: "", c: "pyranometer", d: "", words: "pyranometer" } }),
          1,
        ),
      ).toBe(true);
      expect(await lexicon(["pyranometer"])).toEqual(["pyranometer"]);

      // A typo widens to the word; every page reports the same total and the pages cover all matches.
      const seen: string[] = [];
      for (let offset = 0; offset < 30; offset += 10) {
        const page = await catalogue.search({ q: "anemometr", limit: 10, offset });
        expect(page.total).toBe(22);
        seen.push(...page.items.map((p) => p.id));
      }
      expect(seen.sort()).toEqual(gauges.slice(1));
      // Every word must match (AND), each through its own typos; the total is the matches' count.
      expect((await catalogue.search({ q: "gauge anemometr", limit: 1, offset: 0 })).total).toBe(22);
      expect((await catalogue.search({ q: "gauge shipmnets", limit: 1, offset: 0 })).total).toBe(0);
      expect((await catalogue.search({ q: "pyranometr", limit: 5, offset: 0 })).items.map((p) => p.id)).toEqual([
        first,
      ]);
      // Query syntax is never interpreted: operators are separators, punctuation alone matches nothing.
      expect((await catalogue.search({ q: "gauge & !anemometer:* |", limit: 1, offset: 0 })).total).toBe(22);
      expect(await catalogue.search({ q: `"'&|!:*()<->\\`, limit: 5, offset: 0 })).toEqual({ items: [], total: 0 });
      // Filters apply to the matches and to their total.
      expect((await catalogue.search({ q: "gauge", tag: "none", limit: 5, offset: 0 })).total).toBe(0);
    });

    test("search tolerates typos in short words and joined words, spelt matches first", async () => {
      const products = new ProductRepository(db);
      const catalogue = productSearchOf(db);
      const add = (id: string, name: string, d = "") =>
        products.insert(
          product(id, { name, search: { a: `${name} ${id}`, b: "", c: "", d, words: `${name.toLowerCase()} ${id}` } }),
        );
      await add("ocean.sea-level", "Sea level");
      await add("rail.crossings", "Level crossings");
      await add("ocean.ice", "Sea ice");
      await add("farm.seeds", "Seed bank");
      // "see" only in prose: the catalogue's words do not know it, so it is also read as a typo.
      await add("coast.tides", "Tide gauges", "See level charts of every harbour.");
      const ids = async (q: string) => (await catalogue.search({ q, limit: 10, offset: 0 })).items.map((p) => p.id);
      expect(await ids("sea level")).toEqual(["ocean.sea-level"]);
      // One edit in a word of 3–5 letters, every word still required.
      expect(await ids("sea levl")).toEqual(["ocean.sea-level"]);
      // Names first, then the mention in prose ("See level charts").
      expect(await ids("levl")).toEqual(["rail.crossings", "ocean.sea-level", "coast.tides"]);
      expect(await ids("icw")).toEqual(["ocean.ice"]);
      // Joined words match their parts.
      expect(await ids("sealevel")).toEqual(["ocean.sea-level"]);
      // `see level`: the name through a typo ranks above the prose that spells "see"; "Seed bank" has no level.
      expect(await ids("see level")).toEqual(["ocean.sea-level", "coast.tides"]);
      const spelt = await catalogue.search({ q: "sea level", limit: 1, offset: 0 });
      const typo = await catalogue.search({ q: "sea levl", limit: 1, offset: 0 });
      expect(spelt.items[0]?.score).toBeGreaterThan(typo.items[0]?.score ?? 3);
      // A word the catalogue knows is taken as typed: "See it all" makes "see" a catalogue word.
      await add("film.see", "See it all");
      expect(await ids("see")).toEqual(["film.see", "coast.tides"]);
      expect(await ids("see level")).toEqual(["coast.tides"]);
      // When the words as typed match nothing, known words are widened too, for the facets as well.
      expect(await ids("see ice")).toEqual(["ocean.ice"]);
      expect((await catalogue.facets({ q: "see ice" })).status).toEqual([{ value: "active", count: 1 }]);
      // A known word is also read as a typo of a neighbour far more common (10×).
      for (let i = 0; i < 20; i++) await add(`ocean.temperature-${i}`, `Sea temperature ${i}`);
      expect(await ids("see level")).toEqual(["ocean.sea-level", "coast.tides"]);
      // Two edits only from 6 letters; none under 3 letters, none in numbers.
      expect(await ids("crosings")).toEqual(["rail.crossings"]);
      expect(await ids("levxx")).toEqual([]);
      expect(await ids("se")).toEqual([]);
    });

    test("search sees every commit of every replica", async () => {
      const open = target.openReplica;
      if (!open) throw new Error("openReplica is required unless this case is skipped");
      const other = await open();
      const catalogue = productSearchOf(db);
      // No words in common for the lexicon: a new catalogue word is a unique key, so a second writer
      // of the same new word would wait for the first transaction to end.
      const depth = (id: string, name: string) =>
        product(id, { name, search: { a: `${name} ${id}`, b: "", c: "", d: "", words: id } });
      const found = async (q: string) =>
        (await catalogue.search({ q, limit: 10, offset: 0 })).items.map((p) => p.id).sort();
      let release: () => void = () => undefined;
      try {
        expect(await found("bathymetry")).toEqual([]);
        // A transaction on the other replica writes a product and stays open while this one searches.
        let inserted!: () => void;
        const insertedNow = new Promise<void>((resolve) => {
          inserted = resolve;
        });
        const held = new Promise<void>((resolve) => {
          release = resolve;
        });
        const writing = other.transaction(async (tx) => {
          await new ProductRepository(tx).insert(depth("r.early", "Bathymetry early"));
          inserted();
          await held;
        });
        await insertedNow;
        expect(await found("bathymetry")).toEqual([]);
        // A later transaction commits first: it is seen at once, and the earlier one is not lost.
        await new ProductRepository(other).insert(depth("r.late", "Bathymetry late"));
        expect(await found("bathymetry")).toEqual(["r.late"]);
        release();
        await writing;
        expect(await found("bathymetry")).toEqual(["r.early", "r.late"]);
        // Updates move a product in the index: out of its old words, into its new ones.
        expect(await new ProductRepository(other).update(depth("r.early", "Ocean depth"), 1)).toBe(true);
        expect(await found("bathymetry")).toEqual(["r.late"]);
        expect(await found("ocean")).toEqual(["r.early"]);
      } finally {
        release();
        await other.close();
      }
    });
  });
}
