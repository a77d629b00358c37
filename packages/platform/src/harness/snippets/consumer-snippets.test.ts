import { describe, expect, it } from "vitest";
import { consumerSnippets, exampleSql, type SnippetPort } from "./consumer-snippets.js";

const port: SnippetPort = {
  baseUrl: "http://localhost:8080/",
  productId: "sales.orders",
  port: "orders",
  datasets: [{ name: "orders", columns: ["order_id", "Total Amount", "status"] }],
};
const byLanguage = (p: SnippetPort) => Object.fromEntries(consumerSnippets(p).map((s) => [s.language, s]));

describe("consumerSnippets", () => {
  it("sends the token from $QUANTA_TOKEN in every call, and never a token itself", () => {
    const s = byLanguage(port);
    expect(s.curl?.code).toContain('-H "Authorization: Bearer $QUANTA_TOKEN"');
    expect(s.duckdb?.code).toContain('-H "Authorization: Bearer $QUANTA_TOKEN"');
    expect(s.python?.code).toContain('"Authorization": "Bearer " + os.environ["QUANTA_TOKEN"]');
    expect(s.typescript?.code).toContain("Authorization: `Bearer ${process.env.QUANTA_TOKEN}`");
    for (const snippet of Object.values(s)) expect(snippet.note.length).toBeGreaterThan(10);
  });

  it("reads JSON rows as the objects the API answers", () => {
    const s = byLanguage(port);
    expect(s.python?.code).toContain('for row in result["rows"]:\n    print(row)');
    expect(s.python?.code).not.toContain("zip(");
    expect(s.typescript?.code).toContain("rows: Record<string, unknown>[];");
    expect(s.typescript?.code).not.toContain("unknown[][]");
  });

  it("quotes names the SQL sandbox would read otherwise, and the shell's quotes", () => {
    expect(exampleSql(port)).toBe('SELECT order_id, "Total Amount", status FROM orders\nLIMIT 100');
    const hostile = byLanguage({
      ...port,
      port: "it's",
      datasets: [{ name: "o'rders", columns: ['we"ird', "x"] }],
    });
    expect(hostile.curl?.code).toContain(
      String.raw`-d '{"port":"it'\''s","sql":"SELECT \"we\"\"ird\", x FROM \"o'\''rders\"\nLIMIT 100"`,
    );
    expect(hostile.duckdb?.code).toContain("-o 'o_rders.parquet'");
  });

  it("adds psql only for a database grant, with the agreement's role and view quoted", () => {
    expect(byLanguage(port).psql).toBeUndefined();
    const s = byLanguage({
      ...port,
      connection: {
        agreementId: "agr_1",
        host: "db.example",
        port: 5432,
        database: "shop",
        role: "quanta_agr_1",
        views: [{ dataset: "orders", view: "quanta_shares.agr_1_orders" }],
      },
    });
    expect(s.psql?.code).toBe(
      `psql 'host=db.example port=5432 dbname=shop user=quanta_agr_1' \\\n  -c 'SELECT "order_id", "Total Amount", "status" FROM "quanta_shares"."agr_1_orders" LIMIT 100'`,
    );
    expect(s.psql?.note).toContain("quanta access connection agr_1");
    expect(s.psql?.code).not.toMatch(/password/i);
  });
});
