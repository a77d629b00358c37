import type { Format } from "../format.js";

export const format: Format = {
  name: "html",
  title: "HTML page",
  exporter: {
    description:
      "The contract as one standalone HTML page (inline CSS, no scripts or external assets), all contract text escaped",
    options: [],
    run: async (input) => (await import("./export.js")).exportHtml(input),
  },
};
