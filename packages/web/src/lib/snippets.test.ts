import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { exampleSql, quoteIdent, snippets } from "./snippets.js";

const input = {
  baseUrl: "http://localhost:8080",
  productId: "sales.orders",
  port: "orders",
  datasets: [{ name: "orders", columns: ["order_id", "customer_id", "Order Total", "status", "x"] }],
};

describe("consumer snippets", () => {
  it("writes a starting query over the port's first dataset, quoting names that need it", () => {
    expect(exampleSql(input)).toMatchInlineSnapshot(`
      "SELECT
        order_id,
        customer_id,
        "Order Total",
        status,
        x
      FROM orders
      LIMIT 100"
    `);
    expect(exampleSql({ ...input, datasets: [{ name: "Daily", columns: ["a"] }] })).toBe(
      'SELECT a FROM "Daily"\nLIMIT 100',
    );
    expect(exampleSql({ ...input, datasets: [] })).toBe("SELECT 1");
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
  });

  it("calls the consume API with the port and the query", () => {
    const s = snippets(input);
    expect(s.typescript).toContain('fetch("http://localhost:8080/api/products/sales.orders/consume"');
    expect(s.typescript).toContain('"port": "orders"');
    expect(s.python).toContain('"port": "orders"');
    expect(s.python).toContain('sql = """SELECT');
    expect(s.shell).toContain("curl -sS 'http://localhost:8080/api/products/sales.orders/consume'");
  });

  it("keeps hostile names inert in every language", () => {
    const evil = {
      ...input,
      productId: "a'b\"c",
      port: 'p\'; rm -rf / #"""',
      datasets: [{ name: 't"""x', columns: ["c'1"] }],
    };
    const s = snippets(evil);
    // The shell snippet is one command whose arguments are exactly the URL and the JSON body.
    const echoed = execFileSync("sh", ["-c", s.shell.replace(/^curl -sS/, "printf '%s\\n'")])
      .toString()
      .split("\n");
    expect(echoed[0]).toBe(
      "http://localhost:8080/api/products/a'b\"c/consume".replace("a'b\"c", encodeURIComponent("a'b\"c")),
    );
    expect(JSON.parse(echoed[4] ?? "")).toMatchObject({ port: evil.port, format: "csv" });
    // Python parses the snippet (when python3 is here) without running it.
    try {
      execFileSync("python3", ["-c", "import ast,sys; ast.parse(sys.stdin.read())"], { input: s.python });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    expect(s.typescript).toContain(JSON.stringify(evil.port));
  });
});
