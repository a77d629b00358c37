import type { Format } from "../format.js";

export const format: Format = {
  name: "sqlalchemy",
  title: "SQLAlchemy models",
  exporter: {
    description:
      "SQLAlchemy 2.0 declarative models (Mapped, mapped_column) with physical names, keys, foreign keys and nullability",
    options: [{ name: "schema", description: "Export only the schema object with this name or physical name" }],
    run: async (input) => (await import("./export.js")).exportSqlAlchemy(input),
  },
};
