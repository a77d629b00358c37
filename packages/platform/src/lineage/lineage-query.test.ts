import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testIdentity } from "../identity/identity-fixtures.js";
import { IdentityStore } from "../identity/identity-store.js";
import type { Principal } from "../identity/principal.js";
import type { Database } from "../storage/database.js";
import { openDatabase } from "../storage/open-database.js";
import { LineageService, maxLineageNodes } from "./lineage-service.js";
import { LineageStore } from "./lineage-store.js";

/**
 * What `LineageService.graph` answers, pinned on a small hand-made graph (PGlite), so a faster
 * query shape cannot change it: breadth-first levels, each node once at the level it was first
 * reached, every edge walked (also into nodes already seen), the depth limit, and the caps of 500
 * nodes and 2,000 edges (the edges first stored win) that set `truncated`.
 */
describe("the lineage query's walk", () => {
  let db: Database;
  let service: LineageService;
  let principal: Principal;
  const n = (name: string) => `dataset:t/${name}`;

  beforeAll(async () => {
    db = await openDatabase({ memory: true });
    const store = new LineageStore(db);
    const edge = (from: string, to: string) => ({
      from: n(from),
      to: n(to),
      origin: "openlineage" as const,
      details: {},
    });
    // A cycle with a tail: a → b → c → a, c → d.
    await store.upsert([edge("a", "b"), edge("b", "c"), edge("c", "a"), edge("c", "d")]);
    // A diamond: top → left, top → right, left → bottom, right → bottom.
    await store.upsert([edge("top", "left"), edge("top", "right"), edge("left", "bottom"), edge("right", "bottom")]);
    // A chain of 8: s0 → s1 → … → s7.
    await store.upsert(Array.from({ length: 7 }, (_, i) => edge(`s${i}`, `s${i + 1}`)));
    // A hub feeding (and fed by) 600 leaves: beyond the node cap in one level.
    for (let b = 0; b < 600; b += 200)
      await store.upsert(
        Array.from({ length: 200 }, (_, i) => [edge("hub", `leaf${b + i}`), edge(`leaf${b + i}`, "sink")]).flat(),
      );
    // 50 × 50 between two levels: 2,550 edges among 101 nodes, beyond the edge cap.
    await store.upsert(Array.from({ length: 50 }, (_, i) => edge("root", `x${i}`)));
    for (let i = 0; i < 50; i++) await store.upsert(Array.from({ length: 50 }, (_, j) => edge(`x${i}`, `y${j}`)));
    service = new LineageService(db);
    const identity = new IdentityStore(db);
    principal = await identity.users.principal((await testIdentity(identity)).user.id);
  }, 60_000);
  afterAll(async () => {
    await db?.close();
  });

  const walk = async (node: string, direction: "upstream" | "downstream", depth: number) => {
    const g = await service.graph(principal, n(node), direction, depth);
    return {
      nodes: g.nodes.map((x) => `${x.id.slice("dataset:t/".length)}@${x.depth}`),
      edges: g.edges.map((e) => `${e.from.slice("dataset:t/".length)}>${e.to.slice("dataset:t/".length)}`),
      truncated: g.truncated,
      raw: g,
    };
  };

  it("walks a cycle once, keeping the edge that closes it, in both directions", async () => {
    const down = await walk("a", "downstream", 5);
    expect(down.nodes).toEqual(["a@0", "b@1", "c@2", "d@3"]);
    expect(down.edges).toEqual(["a>b", "b>c", "c>a", "c>d"]);
    expect(down.truncated).toBe(false);
    const up = await walk("a", "upstream", 5);
    expect(up.nodes).toEqual(["a@0", "c@1", "b@2"]);
    expect(up.edges).toEqual(["c>a", "b>c", "a>b"]);
    expect(up.truncated).toBe(false);
    expect(up.raw.node).toBe(n("a"));
    expect(up.raw.nodes.every((x) => x.kind === "dataset")).toBe(true);
    expect(up.raw.edges[0]).toMatchObject({ origin: "openlineage", details: {} });
    expect(new Date(up.raw.edges[0]?.firstSeen ?? "").toISOString()).toBe(up.raw.edges[0]?.firstSeen);
  });

  it("lists a node reached twice in one level once, with both edges into it", async () => {
    const down = await walk("top", "downstream", 3);
    expect(down.nodes).toEqual(["top@0", "left@1", "right@1", "bottom@2"]);
    expect(down.edges).toEqual(["top>left", "top>right", "left>bottom", "right>bottom"]);
    const up = await walk("bottom", "upstream", 3);
    expect(up.nodes).toEqual(["bottom@0", "left@1", "right@1", "top@2"]);
    expect(up.edges).toEqual(["left>bottom", "right>bottom", "top>left", "top>right"]);
  });

  it("stops at the depth asked without calling that truncated", async () => {
    const down = await walk("s1", "downstream", 3);
    expect(down.nodes).toEqual(["s1@0", "s2@1", "s3@2", "s4@3"]);
    expect(down.edges).toEqual(["s1>s2", "s2>s3", "s3>s4"]);
    expect(down.truncated).toBe(false);
    const up = await walk("s7", "upstream", 5);
    expect(up.nodes).toEqual(["s7@0", "s6@1", "s5@2", "s4@3", "s3@4", "s2@5"]);
    expect(up.truncated).toBe(false);
    expect((await walk("s0", "downstream", 10)).nodes).toHaveLength(8);
    expect((await walk("s0", "upstream", 1)).nodes).toEqual(["s0@0"]);
  });

  it("keeps the first 500 nodes of a wide level and says truncated", async () => {
    const leaves = Array.from({ length: maxLineageNodes - 1 }, (_, i) => `leaf${i}`);
    const down = await walk("hub", "downstream", 2);
    expect(down.nodes).toEqual(["hub@0", ...leaves.map((l) => `${l}@1`)]);
    expect(down.edges).toEqual(leaves.map((l) => `hub>${l}`));
    expect(down.truncated).toBe(true);
    const up = await walk("sink", "upstream", 2);
    expect(up.nodes).toEqual(["sink@0", ...leaves.map((l) => `${l}@1`)]);
    expect(up.edges).toEqual(leaves.map((l) => `${l}>sink`));
    expect(up.truncated).toBe(true);
    // The hub's other direction is no wider than one node.
    expect(await walk("hub", "upstream", 2)).toMatchObject({ nodes: ["hub@0"], edges: [], truncated: false });
  });

  it("keeps the first 2,000 edges, also those into nodes already seen, and says truncated", async () => {
    const down = await walk("root", "downstream", 3);
    const xs = Array.from({ length: 50 }, (_, i) => `x${i}`);
    const ys = Array.from({ length: 50 }, (_, j) => `y${j}`);
    expect(down.nodes).toEqual(["root@0", ...xs.map((x) => `${x}@1`), ...ys.map((y) => `${y}@2`)]);
    expect(down.edges).toHaveLength(maxLineageNodes * 4);
    expect(down.edges.slice(0, 50)).toEqual(xs.map((x) => `root>${x}`));
    // Level 2 in the order the edges were stored: x0's fifty, x1's fifty, … until the cap.
    const level2 = xs.flatMap((x) => ys.map((y) => `${x}>${y}`)).slice(0, maxLineageNodes * 4 - 50);
    expect(down.edges.slice(50)).toEqual(level2);
    expect(down.truncated).toBe(true);
    // Upstream from a y: its fifty xs, then root once (reached through each x).
    const up = await walk("y7", "upstream", 3);
    expect(up.nodes).toEqual(["y7@0", ...xs.map((x) => `${x}@1`), "root@2"]);
    expect(up.edges).toEqual([...xs.map((x) => `${x}>y7`), ...xs.map((x) => `root>${x}`)]);
    expect(up.truncated).toBe(false);
  });

  it("answers a node without edges with the node alone, and needs a signed-in user", async () => {
    expect(await walk("nowhere", "downstream", 5)).toMatchObject({
      nodes: ["nowhere@0"],
      edges: [],
      truncated: false,
    });
    await expect(service.graph(undefined, n("a"), "downstream", 5)).rejects.toThrow(/sign in/i);
    await expect(service.graph(principal, n("a"), "downstream", 11)).rejects.toThrow(/depth is 1 to 10/);
  });

  it("replaces the edges under a prefix only: `_` and `%` in a name are letters, not wildcards", async () => {
    const store = new LineageStore(db);
    const col = (product: string, column: string) => `column:${product}/p/d.${column}`;
    const e = (to: string) => ({ from: n("src"), to, origin: "pipeline" as const, details: {} });
    await store.upsert([e(col("a_b", "x")), e(col("a_b", "y")), e(col("aXb", "x")), e(col("a%b", "x"))]);
    await store.replaceUnder("pipeline", "column:a_b/p/", [e(col("a_b", "x"))]);
    const { rows } = await db.query<{ to: string }>(
      "SELECT to_node AS to FROM lineage_edges WHERE origin = 'pipeline'",
    );
    expect(rows.map((r) => r.to).sort()).toEqual([col("a%b", "x"), col("aXb", "x"), col("a_b", "x")].sort());
  });
});
