import type { Path } from "../../issues.js";
import type { LintContext, LintRule } from "../lint-rule.js";
import { propertyLists, schemaObjects } from "../odcs-walk.js";
import { nameOf } from "../read.js";

/** Reports every repeat of a name, at the repeat, naming the line of the first one. */
function reportDuplicates(
  ctx: LintContext,
  entries: readonly { name: string; path: Path }[],
  what: (name: string) => string,
): void {
  const first = new Map<string, Path>();
  for (const { name, path } of entries) {
    const seen = first.get(name);
    if (seen === undefined) {
      first.set(name, path);
      continue;
    }
    const line = ctx.src.locate([...seen, "name"]).line;
    ctx.report([...path, "name"], `${what(name)} is defined twice; the first is on line ${line}`);
  }
}

export const duplicateObjectName: LintRule = {
  code: "duplicate-object-name",
  severity: "error",
  description: "Two schema objects share a name (checks and consumers address objects by name).",
  check(ctx) {
    const entries = schemaObjects(ctx.value).flatMap(({ node, path }) => {
      const name = nameOf(node);
      return name === undefined ? [] : [{ name, path }];
    });
    reportDuplicates(ctx, entries, (name) => `schema object "${name}"`);
  },
};

export const duplicatePropertyName: LintRule = {
  code: "duplicate-property-name",
  severity: "error",
  description: "Two properties in the same object (or nested object) share a name.",
  check(ctx) {
    for (const list of propertyLists(ctx.value)) {
      const entries = list.items.flatMap((item, i) => {
        const name = nameOf(item);
        return name === undefined ? [] : [{ name, path: [...list.path, i] }];
      });
      const owner = nameOf(list.object.node) ?? "object";
      reportDuplicates(ctx, entries, (name) => `property "${name}" of "${owner}"`);
    }
  },
};
