import { operators } from "../../checks/check.js";
import { closest } from "../closest.js";
import type { LintRule } from "../lint-rule.js";
import { type QualityRef, qualityRules } from "../odcs-walk.js";
import { asArray, asObj, nameOf } from "../read.js";

type Level = QualityRef["level"];
type Metric = "nullValues" | "missingValues" | "invalidValues" | "duplicateValues" | "rowCount";

interface MetricSpec {
  levels: readonly Level[];
  /** Argument name → what its value must be. */
  arguments: Readonly<Record<string, "list" | "string">>;
  percent: boolean;
}

/** ODCS v3.1 library metrics: where they apply and what they take. */
const metrics: Record<Metric, MetricSpec> = {
  nullValues: { levels: ["property"], arguments: {}, percent: true },
  missingValues: { levels: ["property"], arguments: { missingValues: "list" }, percent: true },
  invalidValues: { levels: ["property"], arguments: { validValues: "list", pattern: "string" }, percent: true },
  duplicateValues: { levels: ["property", "object"], arguments: { properties: "list" }, percent: true },
  rowCount: { levels: ["object"], arguments: {}, percent: false },
};
const metricNames = Object.keys(metrics) as Metric[];

const rangeOperators = new Set(["mustBeBetween", "mustNotBeBetween"]);

function isLibrary(q: QualityRef): boolean {
  const t = q.node.type;
  return t === "library" || (t === undefined && ("metric" in q.node || "rule" in q.node));
}

function metricOf(q: QualityRef): { metric: Metric; spec: MetricSpec } | undefined {
  const m = q.node.metric;
  if (typeof m !== "string" || !Object.hasOwn(metrics, m)) return undefined;
  return { metric: m as Metric, spec: metrics[m as Metric] };
}

export const qualityMetricUnknown: LintRule = {
  code: "quality-metric-unknown",
  severity: "error",
  description: `A library quality rule without a known \`metric\` (${metricNames.join(", ")}), or using the deprecated \`rule\`.`,
  check(ctx) {
    for (const q of qualityRules(ctx.value)) {
      if (!isLibrary(q)) continue;
      const m = q.node.metric;
      if (m === undefined) {
        if (typeof q.node.rule === "string") {
          const hint = closest(q.node.rule, metricNames);
          ctx.report(
            [...q.path, "rule"],
            `\`rule\` is replaced by \`metric\` in ODCS v3.1${hint ? `: use metric: ${hint}` : ""}`,
            {
              key: true,
            },
          );
        } else {
          ctx.report([...q.path, "type"], `a library quality rule needs a metric (${metricNames.join(", ")})`, {
            key: true,
          });
        }
        continue;
      }
      if (typeof m === "string" && Object.hasOwn(metrics, m)) continue;
      const hint = typeof m === "string" ? closest(m, metricNames) : undefined;
      ctx.report(
        [...q.path, "metric"],
        `unknown metric ${JSON.stringify(m)}${hint ? `; did you mean "${hint}"?` : ""} (known: ${metricNames.join(", ")})`,
      );
    }
  },
};

export const qualityMetricPlacement: LintRule = {
  code: "quality-metric-placement",
  severity: "error",
  description:
    "A metric used at the wrong level: `rowCount` belongs to a schema object, `nullValues`/`missingValues`/`invalidValues` to a property, and `duplicateValues` on an object needs `arguments.properties`.",
  check(ctx) {
    for (const q of qualityRules(ctx.value)) {
      if (!isLibrary(q)) continue;
      const found = metricOf(q);
      if (!found) continue;
      const { metric, spec } = found;
      if (!spec.levels.includes(q.level)) {
        const where = spec.levels.includes("object") ? "a schema object's quality list" : "a property's quality list";
        const object = nameOf(q.object.node);
        const at = q.level === "object" ? `object "${object ?? "?"}"` : `property "${nameOf(q.property?.node) ?? "?"}"`;
        ctx.report([...q.path, "metric"], `metric ${metric} cannot apply to ${at}; it belongs in ${where}`);
        continue;
      }
      if (metric === "duplicateValues" && q.level === "object") {
        const props = asObj(q.node.arguments)?.properties;
        if (!Array.isArray(props) || props.length === 0) {
          ctx.report(
            [...q.path, "metric"],
            "duplicateValues on a schema object needs arguments.properties: the properties whose combination must be unique",
          );
        }
      }
    }
  },
};

export const qualityOperatorInvalid: LintRule = {
  code: "quality-operator-invalid",
  severity: "error",
  description:
    "A library or SQL quality rule with no comparison operator, several operators, an operator value of the wrong shape (e.g. `mustBeBetween` needs two numbers), or `unit: percent` on `rowCount`.",
  check(ctx) {
    for (const q of qualityRules(ctx.value)) {
      if (!isLibrary(q) && q.node.type !== "sql") continue;
      const used = operators.filter((op) => Object.hasOwn(q.node, op));
      if (used.length === 0) {
        ctx.report(q.path, `quality rule has no operator; add one of ${operators.join(", ")}`);
      }
      for (const op of used.slice(1)) {
        ctx.report([...q.path, op], `quality rule has several operators (${used.join(", ")}); use exactly one`, {
          key: true,
        });
      }
      for (const op of used) {
        const value = q.node[op];
        if (rangeOperators.has(op)) {
          const ok = Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === "number");
          if (!ok)
            ctx.report([...q.path, op], `${op} needs a list of two numbers [low, high], got ${JSON.stringify(value)}`);
        } else if (op !== "mustBe" && op !== "mustNotBe" && typeof value !== "number") {
          ctx.report([...q.path, op], `${op} needs a number, got ${JSON.stringify(value)}`);
        }
      }
      const found = isLibrary(q) ? metricOf(q) : undefined;
      if (found && !found.spec.percent && q.node.unit === "percent") {
        ctx.report([...q.path, "unit"], `${found.metric} counts rows; unit: percent does not apply`);
      }
    }
  },
};

export const qualityArgumentsInvalid: LintRule = {
  code: "quality-arguments-invalid",
  severity: "error",
  description:
    "Library metric `arguments` that the metric does not take (e.g. `validValues` on `nullValues`), of the wrong shape, missing (`invalidValues` needs `validValues` or `pattern`), or naming properties the object does not have.",
  check(ctx) {
    for (const q of qualityRules(ctx.value)) {
      if (!isLibrary(q)) continue;
      const found = metricOf(q);
      if (!found) continue;
      const { metric, spec } = found;
      const args = asObj(q.node.arguments);
      const taken = Object.keys(spec.arguments);
      for (const [name, value] of Object.entries(args ?? {})) {
        const shape = spec.arguments[name];
        if (!shape) {
          const takes = taken.length ? `it takes ${taken.join(", ")}` : "it takes no arguments";
          ctx.report([...q.path, "arguments", name], `metric ${metric} does not take argument ${name}; ${takes}`, {
            key: true,
          });
        } else if (shape === "list" ? !Array.isArray(value) : typeof value !== "string") {
          ctx.report(
            [...q.path, "arguments", name],
            `argument ${name} must be ${shape === "list" ? "a list" : "a string"}`,
          );
        }
      }
      if (metric === "invalidValues" && !args?.validValues && !args?.pattern) {
        ctx.report(
          [...q.path, "metric"],
          "invalidValues needs arguments.validValues (a list) or arguments.pattern (a regular expression)",
        );
      }
      if (metric === "duplicateValues" && args && Array.isArray(args.properties)) {
        const names = new Set(asArray(q.object.node.properties).map(nameOf));
        args.properties.forEach((p, i) => {
          if (typeof p === "string" && !names.has(p)) {
            ctx.report(
              [...q.path, "arguments", "properties", i],
              `"${p}" is not a property of "${nameOf(q.object.node) ?? "?"}"`,
            );
          }
        });
      }
    }
  },
};

export const qualityBoundsReversed: LintRule = {
  code: "quality-bounds-reversed",
  severity: "error",
  description: "`mustBeBetween`/`mustNotBeBetween` with the larger number first (the range is empty).",
  check(ctx) {
    for (const q of qualityRules(ctx.value)) {
      for (const op of rangeOperators) {
        const value = q.node[op];
        if (!Array.isArray(value) || value.length !== 2) continue;
        const [low, high] = value;
        if (typeof low === "number" && typeof high === "number" && low > high) {
          ctx.report([...q.path, op], `${op} [${low}, ${high}] is reversed; write [${high}, ${low}] (smallest first)`);
        }
      }
    }
  },
};
