import type { Format } from "../format.js";

export const format: Format = {
  name: "markdown",
  title: "Markdown",
  exporter: {
    description:
      "The contract as a Markdown page: fundamentals, description, servers, schema tables, quality, SLAs, team, support, price",
    options: [],
    run: async (input) => (await import("./export.js")).exportMarkdown(input),
  },
};
