import type { Format } from "../format.js";

export const format: Format = {
  name: "typescript",
  title: "TypeScript and zod",
  exporter: {
    description:
      "TypeScript interfaces of the rows Quanta's consume API returns, and zod v4 schemas that validate them",
    options: [
      { name: "schema", description: "Export only the schema object with this name or physical name" },
      {
        name: "zod",
        description: "Also write a zod schema per object (false: interfaces only, no zod import)",
        choices: ["true", "false"],
        default: "true",
      },
    ],
    run: async (input) => (await import("./export.js")).exportTypeScript(input),
  },
};
