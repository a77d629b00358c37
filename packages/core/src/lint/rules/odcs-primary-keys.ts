import type { Path } from "../../issues.js";
import type { LintRule } from "../lint-rule.js";
import { propertyLists } from "../odcs-walk.js";
import { asObj } from "../read.js";

interface KeyProperty {
  path: Path;
  name: string;
  primaryKey: boolean;
  /** undefined when absent or the "unset" default -1. */
  position: number | undefined;
}

function keyProperties(items: readonly unknown[], listPath: Path): KeyProperty[] {
  return items.flatMap((item, i) => {
    const p = asObj(item);
    if (!p) return [];
    const pos = p.primaryKeyPosition;
    const position = typeof pos === "number" && Number.isInteger(pos) && pos !== -1 ? pos : undefined;
    const name = typeof p.name === "string" ? p.name : `#${i + 1}`;
    return [{ path: [...listPath, i], name, primaryKey: p.primaryKey === true, position }];
  });
}

export const primaryKeyPosition: LintRule = {
  code: "primary-key-position",
  severity: "error",
  description:
    "`primaryKeyPosition` duplicated, below 1, leaving a gap (positions must be 1..n), or set on a property that is not `primaryKey: true`.",
  check(ctx) {
    for (const list of propertyLists(ctx.value)) {
      const props = keyProperties(list.items, list.path);
      for (const p of props) {
        if (p.position !== undefined && !p.primaryKey) {
          ctx.report(
            [...p.path, "primaryKeyPosition"],
            `"${p.name}" has primaryKeyPosition ${p.position} but is not a primary key (add primaryKey: true or remove the position)`,
            { key: true },
          );
        }
      }
      const keyed = props.filter((p) => p.primaryKey && p.position !== undefined);
      const byPosition = new Map<number, KeyProperty>();
      for (const p of keyed) {
        const position = p.position as number;
        const at = [...p.path, "primaryKeyPosition"];
        if (position < 1) {
          ctx.report(at, `primaryKeyPosition ${position} of "${p.name}" must be 1 or more (positions start at 1)`);
          continue;
        }
        const first = byPosition.get(position);
        if (first) {
          const line = ctx.src.locate([...first.path, "primaryKeyPosition"]).line;
          ctx.report(at, `"${p.name}" and "${first.name}" (line ${line}) both have primaryKeyPosition ${position}`);
          continue;
        }
        byPosition.set(position, p);
      }
      const positions = [...byPosition.keys()].sort((a, b) => a - b);
      // One report per list: every later position is off by the same gap.
      const gap = positions.findIndex((position, i) => position !== i + 1);
      const gapAt = byPosition.get(positions[gap] ?? -1);
      if (gapAt) {
        ctx.report(
          [...gapAt.path, "primaryKeyPosition"],
          `primaryKeyPosition ${gapAt.position} of "${gapAt.name}" leaves a gap: positions are ${positions.join(", ")}; expected 1..${positions.length}`,
        );
      }
    }
  },
};

export const primaryKeyPositionMissing: LintRule = {
  code: "primary-key-position-missing",
  severity: "warning",
  description:
    "A composite primary key (several `primaryKey: true`) where a key property has no `primaryKeyPosition`, so the key order is undefined.",
  check(ctx) {
    for (const list of propertyLists(ctx.value)) {
      const keys = keyProperties(list.items, list.path).filter((p) => p.primaryKey);
      if (keys.length < 2) continue;
      const missing = keys.filter((p) => p.position === undefined);
      const first = missing[0];
      if (!first) continue;
      // One report per key: the fix is to number all of them together.
      ctx.report(
        [...first.path, "primaryKey"],
        `composite primary key (${keys.map((k) => k.name).join(", ")}) has no primaryKeyPosition on ${missing.map((k) => k.name).join(", ")}; number them 1..${keys.length}`,
        { key: true },
      );
    }
  },
};
