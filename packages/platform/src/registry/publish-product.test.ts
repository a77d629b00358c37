import { ConflictError } from "@quanta/core";
import { createTestDatabase, postgresSkipReason } from "@quanta/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TeamRepository } from "../identity/team-repository.js";
import { RefusedError } from "../refused-error.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { tinyProduct } from "../test-fixtures.js";
import { Registry } from "./registry.js";

async function counts(db: Database, id: string) {
  const { rows } = await db.query<{ versions: number; contracts: number; events: number }>(
    `SELECT (SELECT count(*)::int FROM product_versions WHERE product_id = $1) AS versions,
            (SELECT count(*)::int FROM contract_versions WHERE contract_id = $1 || '.rows') AS contracts,
            (SELECT count(*)::int FROM events WHERE subject = $1) AS events`,
    [id],
  );
  return rows[0];
}

function publishSuite(name: string, open: () => Promise<{ db: Database; close(): Promise<void> }>) {
  describe(`publish on ${name}`, () => {
    let db: Database;
    let registry: Registry;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ db, close } = await open());
      registry = new Registry(db);
    });
    afterAll(async () => {
      await close?.();
    });

    it("stores a product, its contracts, ports, team and events", async () => {
      const result = await registry.publish({ files: tinyProduct("p.one"), publishedBy: "owner@example.com" });
      expect(result).toMatchObject({
        created: true,
        product: { id: "p.one", version: "1.0.0", domain: "testing", team: "test-team", tags: ["tiny"] },
        contracts: [{ id: "p.one.rows", version: "1.0.0", created: true }],
      });
      const detail = await registry.product("p.one");
      expect(detail.ports).toEqual([
        {
          direction: "output",
          name: "rows",
          type: "tables",
          version: "1.0.0",
          contractId: "p.one.rows",
          description: null,
        },
      ]);
      expect(await new TeamRepository(db).membersAt("test-team")).toMatchObject([
        { username: "owner@example.com", role: "owner" },
      ]);
      const events = await registry.events({ subject: "p.one" });
      expect(events.map((e) => [e.type, e.actor])).toEqual([["product.published", "owner@example.com"]]);
      expect(await counts(db, "p.one")).toEqual({ versions: 1, contracts: 1, events: 1 });
    });

    it("adds a version, keeping the old contract version", async () => {
      const v2 = await registry.publish({
        files: tinyProduct("p.one", { version: "2.0.0", contractVersion: "2.0.0" }),
      });
      expect(v2.contracts).toEqual([{ id: "p.one.rows", version: "2.0.0", created: true }]);
      expect((await registry.contractVersions("p.one", "p.one.rows")).map((v) => v.version).sort()).toEqual([
        "1.0.0",
        "2.0.0",
      ]);
      expect((await registry.product("p.one")).version).toBe("2.0.0");
      expect(await counts(db, "p.one")).toEqual({ versions: 2, contracts: 2, events: 2 });
    });

    it("refuses lower versions, rewritten contract versions and foreign contracts, writing nothing", async () => {
      await expect(
        registry.publish({ files: tinyProduct("p.one", { version: "1.5.0", contractVersion: "2.0.0" }) }),
      ).rejects.toThrow("version 1.5.0 of p.one is lower than the published version 2.0.0");
      const rewritten = tinyProduct("p.one", { version: "2.1.0", contractVersion: "2.0.0" });
      rewritten[1] = {
        path: rewritten[1]!.path,
        text: rewritten[1]!.text.replace("required: true", "required: false"),
      };
      await expect(registry.publish({ files: rewritten })).rejects.toThrow(
        "contract p.one.rows version 2.0.0 is already published with different content; published versions are immutable, bump the contract version",
      );
      const thief = tinyProduct("p.two");
      thief[1] = { path: thief[1]!.path, text: thief[1]!.text.replace("id: p.two.rows", "id: p.one.rows") };
      thief[0] = {
        path: thief[0]!.path,
        text: thief[0]!.text.replace("contractId: p.two.rows", "contractId: p.one.rows"),
      };
      const err = await registry.publish({ files: thief }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as Error).message).toBe(
        "contract p.one.rows belongs to data product p.one; contract ids are unique across the mesh",
      );
      expect(await counts(db, "p.one")).toEqual({ versions: 2, contracts: 2, events: 2 });
      expect((await registry.search({ q: "p.two", limit: 5, offset: 0 })).items.map((p) => p.id)).not.toContain(
        "p.two",
      );
    });

    it("refuses a breaking contract change without a major version, listing the changes", async () => {
      await registry.publish({ files: tinyProduct("p.break") });
      const renamed = (v: string) => {
        const files = tinyProduct("p.break", { version: v, contractVersion: v });
        files[1] = { path: files[1]!.path, text: files[1]!.text.replace("name: row_id", "name: row_key") };
        return files;
      };
      const err = await registry.publish({ files: renamed("1.1.0") }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RefusedError);
      const refused = err as RefusedError;
      expect(refused.message).toMatch(
        /^contract p.break.rows changes in a breaking way since 1.0.0, but 1.1.0 does not announce it; publish it as 2.0.0/,
      );
      expect(refused.issues.map((i) => [i.file, i.line, i.code, i.severity])).toEqual([
        ["contracts/rows.odcs.yaml", 5, "version-bump-missing", "error"],
        ["contracts/rows.odcs.yaml", 11, "change-property-removed", "error"],
        ["contracts/rows.odcs.yaml", 11, "change-required-property-added", "error"],
      ]);
      expect(await counts(db, "p.break")).toEqual({ versions: 1, contracts: 1, events: 1 });
      // With the major bump it goes through.
      expect((await registry.publish({ files: renamed("2.0.0") })).created).toBe(true);
    });

    it("publishes a compatible change without a bump with a warning", async () => {
      const files = tinyProduct("p.break", { version: "2.0.1", contractVersion: "2.0.1" });
      files[1] = {
        path: files[1]!.path,
        text: files[1]!.text
          .replace("name: row_id", "name: row_key")
          .replace(
            "description:",
            "      - name: note\n        logicalType: string\n        classification: internal\ndescription:",
          ),
      };
      const result = await registry.publish({ files });
      expect(result.created).toBe(true);
      expect(result.warnings.map((w) => [w.code, w.severity])).toContainEqual(["version-bump-small", "warning"]);
    });

    it("refuses a product with lint errors, listing them", async () => {
      const err = await registry
        .publish({ files: [{ path: "x.odps.yaml", text: "kind: DataProduct\nid: [oops" }] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RefusedError);
      expect((err as RefusedError).issues.length).toBeGreaterThan(0);
      expect((err as RefusedError).issues).toContainEqual(
        expect.objectContaining({ file: "x.odps.yaml", severity: "error", line: 2 }),
      );
    });

    it("refuses a port whose version is not its contract's, naming the version to set", async () => {
      const files = tinyProduct("p.ports", { contractVersion: "0.2.0" });
      files[0] = { path: files[0]!.path, text: files[0]!.text.replace("    version: 0.2.0\n", "    version: 0.1.0\n") };
      const refused = await registry.publish({ files }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RefusedError);
      expect((refused as RefusedError).issues).toContainEqual(
        expect.objectContaining({
          code: "output-port-version-mismatch",
          message: expect.stringContaining('its contract "p.ports.rows" is at 0.2.0'),
        }),
      );
      expect(await counts(db, "p.ports")).toEqual({ versions: 0, contracts: 0, events: 0 });
    });

    it("checks a reference into another contract against the registry's current version", async () => {
      const target = tinyProduct("p.target");
      target[1] = {
        path: target[1]!.path,
        text: target[1]!.text
          .replace("  - name: rows\n", "  - id: rows_obj\n    name: rows\n")
          .replace("      - name: row_id\n", "      - id: row_id_prop\n        name: row_id\n"),
      };
      await registry.publish({ files: target });
      const referencing = (to: string) => {
        const files = tinyProduct("p.refs");
        files[1] = {
          path: files[1]!.path,
          text: files[1]!.text.replace(
            "        classification: internal\n",
            `        classification: internal\n        relationships:\n          - to: ${to}\n`,
          ),
        };
        return files;
      };
      const refused = await registry
        .publish({ files: referencing("p.target.rows.odcs.yaml#schema/rows_obj/properties/nope") })
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(RefusedError);
      expect((refused as RefusedError).issues).toContainEqual(
        expect.objectContaining({
          code: "relationship-target-missing",
          message: expect.stringContaining("p.target.rows.odcs.yaml"),
        }),
      );
      const ok = await registry.publish({
        files: referencing("p.target.rows.odcs.yaml#schema/rows_obj/properties/row_id_prop"),
      });
      expect(ok.warnings.map((w) => w.code)).not.toContain("relationship-target-external");
      const unknown = await registry.publish({
        files: referencing("elsewhere.odcs.yaml#schema/rows_obj/properties/row_id_prop").map((f) => ({
          ...f,
          text: f.text.replace(/version: 1\.0\.0/g, "version: 1.0.1"),
        })),
      });
      expect(unknown.warnings).toContainEqual(expect.objectContaining({ code: "relationship-target-external" }));
    });

    it("keeps the team's role history across publishes", async () => {
      const files = tinyProduct("p.one", { version: "3.0.0", contractVersion: "2.0.0" });
      files[0] = {
        path: files[0]!.path,
        text: files[0]!.text.replace(
          `      dateIn: "2024-01-01"\n`,
          `      dateIn: "2024-01-01"\n      dateOut: "2025-01-31"\n    - username: new@example.com\n      role: owner\n      dateIn: "2025-02-01"\n`,
        ),
      };
      await registry.publish({ files });
      const teams = new TeamRepository(db);
      expect((await teams.membersAt("test-team")).map((m) => m.username)).toEqual(["new@example.com"]);
      expect((await teams.membersAt("test-team", "2024-06-01")).map((m) => m.username)).toEqual(["owner@example.com"]);
      const changes = (await registry.events({ subject: "test-team" })).map((e) => e.payload);
      expect(changes).toEqual([
        { joined: 1, left: 0, product: "p.one" },
        { joined: 1, left: 1, product: "p.one" },
      ]);
    });
  });
}

publishSuite("PGlite", async () => {
  const db = await openDatabase({ memory: true });
  return { db, close: () => db.close() };
});

describe.skipIf(postgresSkipReason())("PostgreSQL", () => {
  publishSuite("PostgreSQL", async () => {
    const created = await createTestDatabase("publish");
    const db = await openDatabase({ url: created.url });
    return {
      db,
      close: async () => {
        await db.close();
        await created.drop();
      },
    };
  });

  describe("concurrent publishes of one product", () => {
    let drop: () => Promise<void>;
    let replicas: Database[] = [];
    beforeAll(async () => {
      const created = await createTestDatabase("race");
      drop = created.drop;
      // Separate pools, as N platform replicas would have.
      replicas = await Promise.all([1, 2, 3, 4].map(() => openDatabase({ url: created.url })));
    });
    afterAll(async () => {
      await Promise.all(replicas.map((r) => r.close()));
      await drop?.();
    });

    const race = (versions: string[], expectedVersion?: string | null) =>
      Promise.allSettled(
        versions.map((v, i) =>
          new Registry(replicas[i % replicas.length] as Database).publish({
            files: tinyProduct("race.one", { version: v, contractVersion: v, extra: `Variant ${v}.` }),
            expectedVersion,
          }),
        ),
      );
    const split = (settled: PromiseSettledResult<{ product: { version: string } }>[]) => {
      const lost = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
      for (const l of lost) expect(l.reason, String(l.reason)).toBeInstanceOf(ConflictError);
      return settled.flatMap((s) => (s.status === "fulfilled" ? [s.value.product.version] : []));
    };

    it("lets exactly one first publish win; the others get a conflict and leave nothing", async () => {
      const won = split(await race(["1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5", "1.0.6", "1.0.7"], null));
      expect(won).toHaveLength(1);
      const db = replicas[0] as Database;
      expect(await counts(db, "race.one")).toEqual({ versions: 1, contracts: 1, events: 1 });
      const { rows } = await db.query<{ version: string }>(
        "SELECT version FROM contract_versions WHERE contract_id = 'race.one.rows'",
      );
      expect(rows).toEqual([{ version: won[0] }]);
    });

    it("lets one update of the same version win", async () => {
      const db = replicas[0] as Database;
      const { rows: before } = await db.query<{ version: string }>(
        "SELECT version FROM data_products WHERE id = 'race.one'",
      );
      const won = split(await race(["2.0.0", "2.0.1", "2.0.2", "2.0.3", "2.0.4", "2.0.5"], before[0]?.version));
      expect(won).toHaveLength(1);
      expect(await counts(db, "race.one")).toEqual({ versions: 2, contracts: 2, events: 2 });
      const { rows } = await db.query<{ revision: number; version: string }>(
        "SELECT revision, version FROM data_products WHERE id = 'race.one'",
      );
      expect(rows).toEqual([{ revision: 2, version: won[0] }]);
    });

    it("without an expected version, loses nothing: every publish either lands whole or is a conflict", async () => {
      const db = replicas[0] as Database;
      const won = split(await race(["3.0.0", "3.0.1", "3.0.2", "3.0.3", "3.0.4", "3.0.5", "3.0.6", "3.0.7"]));
      expect(won.length).toBeGreaterThanOrEqual(1);
      expect(await counts(db, "race.one")).toEqual({
        versions: 2 + won.length,
        contracts: 2 + won.length,
        events: 2 + won.length,
      });
      const { rows } = await db.query<{ revision: number }>("SELECT revision FROM data_products WHERE id = 'race.one'");
      expect(rows[0]?.revision).toBe(2 + won.length);
    });
  });
});
