import type { Path } from "../../issues.js";
import type { LintRule } from "../lint-rule.js";
import { allProperties, qualityRules } from "../odcs-walk.js";
import { asObj } from "../read.js";

/** Why `pattern` is not a valid ECMA-262 regular expression, or undefined when it compiles. */
export function regexError(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (error) {
    // "Invalid regular expression: /(a/: Unterminated group" → "Unterminated group"
    const message = (error as Error).message;
    return message.slice(message.lastIndexOf(": ") + 2) || message;
  }
}

export const invalidPattern: LintRule = {
  code: "invalid-pattern",
  severity: "error",
  description:
    "A `pattern` (in `logicalTypeOptions` or an `invalidValues` rule's arguments) that is not a valid ECMA-262 regular expression.",
  check(ctx) {
    const patterns: { pattern: unknown; path: Path }[] = [];
    for (const p of allProperties(ctx.value)) {
      const options = asObj(p.node.logicalTypeOptions);
      if (options && "pattern" in options)
        patterns.push({ pattern: options.pattern, path: [...p.path, "logicalTypeOptions", "pattern"] });
    }
    for (const q of qualityRules(ctx.value)) {
      const args = asObj(q.node.arguments);
      if (args && "pattern" in args)
        patterns.push({ pattern: args.pattern, path: [...q.path, "arguments", "pattern"] });
    }
    for (const { pattern, path } of patterns) {
      if (typeof pattern !== "string") continue;
      const error = regexError(pattern);
      if (error) ctx.report(path, `pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${error}`);
    }
  },
};
