import type { Format } from "../format.js";
import { type SqlDialectName, sqlDialects } from "../sql/dialects.js";

export const format: Format = {
  name: "sql-query",
  title: "SQL query",
  exporter: {
    description: "One SELECT per schema object listing its columns by their physical names, quoted for the dialect",
    options: [
      { name: "dialect", description: "SQL dialect to write", choices: sqlDialects, default: "postgres" },
      {
        name: "schema",
        description: "the one schema object to select from (name or physicalName); default: every object",
      },
    ],
    run: async (input) => {
      const { exportSqlQuery } = await import("./export.js");
      return exportSqlQuery(input, (input.options.dialect ?? "postgres") as SqlDialectName, input.options.schema);
    },
  },
};
