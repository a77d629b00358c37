import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { SourceDocument } from "../spec/source.js";
import { builtinNames, builtinRules } from "./builtins/builtin-rules.js";
import { compileCel } from "./cel-rule.js";
import { parsePolicySet } from "./parse-policy.js";

const doc = readFileSync(resolve(import.meta.dirname, "../../../../docs/governance.md"), "utf8");
const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");

describe("docs/governance.md stays true", () => {
  it("its policy file example parses without issues", () => {
    const parsed = parsePolicySet(SourceDocument.parse(yamlBlocks[0] ?? "", "governance.md"));
    expect(parsed.issues).toEqual([]);
    expect(parsed.policySet?.rules).toHaveLength(3);
  });

  it("its CEL examples compile", () => {
    const examples = yamlBlocks.flatMap((b) => b.split("\n")).filter((l) => l.startsWith("cel: "));
    expect(examples.length).toBeGreaterThanOrEqual(5);
    for (const line of examples) {
      const value = SourceDocument.parse(line, "x.yaml").value as { cel: string };
      expect({ cel: value.cel, result: compileCel(value.cel) }).toMatchObject({
        result: { compiled: expect.anything() },
      });
    }
  });

  it("documents every built-in rule and each of its parameters", () => {
    for (const name of builtinNames) {
      const row = doc.split("\n").find((l) => l.startsWith(`| \`${name}\``));
      expect(row, name).toBeDefined();
      for (const param of Object.keys(builtinRules[name].params))
        expect(row, `${name} ${param}`).toContain(`\`${param}\``);
    }
  });
});
