import { describe, expect, it } from "vitest";
import { PostgresPipelineBuilder } from "./postgres-pipeline-builder.js";

const server = (schema?: string) => ({
  server: "warehouse",
  type: "postgres",
  host: "db.example.com",
  port: 5432,
  database: "sales",
  ...(schema ? { schema } : {}),
});

describe("where a PostgreSQL build runs", () => {
  it("is one target per connection and default schema: inputs in other schemas are not built together", () => {
    const builder = new PostgresPipelineBuilder();
    const env = {};
    expect(builder.target(server("sales"), env)).toBe(builder.target(server("sales"), env));
    // A build reads its inputs in the first one's schema: a second schema on one URL is another target.
    expect(builder.target(server("sales"), env)).not.toBe(builder.target(server(), env));
    expect(builder.target(server(), env)).toBe(builder.target(server("public"), env));
  });
});
