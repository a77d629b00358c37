import { Environment } from "@marcbachmann/cel-js";
import type { PolicySubject } from "./policy-subject.js";

/**
 * CEL rules (Common Expression Language, as in Kubernetes admission policies) evaluated with
 * `@marcbachmann/cel-js`: pure JavaScript, no dependencies, runs in the browser.
 *
 * Bounds. Parsing is bounded by cel-js limits (AST size, depth, literal sizes). CEL has no loops,
 * but nested comprehensions over lists multiply (`l.all(a, l.all(b, l.all(c, …)))`), so evaluation
 * is bounded too: every evaluation step is counted and a run stops after `celLimits.maxSteps`
 * steps or `celLimits.maxMillis` milliseconds. cel-js has no evaluation budget of its own; the
 * count hooks its evaluator's `run` (every node evaluation goes through it). A test pins this.
 */
export const celLimits = {
  maxSteps: 200_000,
  maxMillis: 200,
  maxExpressionLength: 8_000,
};

type Evaluator = { run(ast: { evaluate(ev: unknown, ast: unknown, ctx: unknown): unknown }, ctx: unknown): unknown };

const budget = { steps: 0, deadline: 0, exceeded: "" };

let environment: Environment | undefined;

function celEnvironment(): Environment {
  if (environment) return environment;
  const env = new Environment({
    enableOptionalTypes: true,
    homogeneousAggregateLiterals: false,
    limits: { maxAstNodes: 2_000, maxDepth: 64, maxListElements: 200, maxMapEntries: 200, maxCallArguments: 16 },
  })
    .registerVariable("product", "map", { description: "the data product (ODPS)" })
    .registerVariable("contracts", "list", { description: "the contracts (ODCS) of the product" })
    .registerVariable("previous", "dyn", {
      description: "the last published version: { product, contracts }, or null",
    })
    .registerVariable("domain", "string", { description: "the domain the policies are evaluated for" })
    .registerVariable("data", "dyn", {
      description: "for `on: data` rules: the new version of a port's data and its test results; else null",
    })
    .registerVariable("lineage", "list", {
      description: "per output column, the upstream columns it derives from (its pipeline's SQL); empty when unknown",
    });
  let evaluator: Evaluator | undefined;
  env.registerFunction("quantaEvaluatorProbe(): bool", function (this: Evaluator) {
    evaluator = this;
    return true;
  });
  env.evaluate("quantaEvaluatorProbe()", {
    product: {},
    contracts: [],
    previous: null,
    domain: "",
    data: null,
    lineage: [],
  });
  if (!evaluator) throw new Error("cel-js evaluator not reachable: evaluation could not be bounded");
  evaluator.run = function run(this: Evaluator, ast, ctx) {
    budget.steps++;
    if (budget.exceeded === "") {
      if (budget.steps > celLimits.maxSteps) budget.exceeded = `more than ${celLimits.maxSteps} evaluation steps`;
      else if ((budget.steps & 1023) === 0 && Date.now() > budget.deadline)
        budget.exceeded = `longer than ${celLimits.maxMillis} ms`;
    }
    // Once over budget every step fails at once, so enclosing loops (which may catch and carry on) end fast.
    if (budget.exceeded !== "") throw new Error(`evaluation stopped: ${budget.exceeded}`);
    return ast.evaluate(this, ast, ctx);
  };
  environment = env;
  return env;
}

export interface CelProblem {
  /** Offset of the problem in the expression (0-based, UTF-16 units). */
  offset: number;
  message: string;
}

export type CompiledCel = ReturnType<Environment["parse"]>;

type CelError = Error & { summary?: string; range?: { start: number } };
const reason = (e: unknown) => {
  const err = e as CelError;
  return (err?.summary ?? String(err?.message ?? err).split("\n")[0] ?? "").trim();
};

/** Parses and type-checks an expression; it must give a bool. */
export function compileCel(expression: string): { compiled: CompiledCel } | { problem: CelProblem } {
  if (expression.length > celLimits.maxExpressionLength)
    return { problem: { offset: 0, message: `expression is longer than ${celLimits.maxExpressionLength} characters` } };
  let compiled: CompiledCel;
  try {
    compiled = celEnvironment().parse(expression);
  } catch (e) {
    return { problem: { offset: (e as CelError).range?.start ?? 0, message: reason(e) } };
  }
  const checked = compiled.check();
  if (!checked.valid)
    return {
      problem: { offset: (checked.error as CelError | undefined)?.range?.start ?? 0, message: reason(checked.error) },
    };
  if (checked.type !== "bool" && checked.type !== "dyn")
    return { problem: { offset: 0, message: `expression gives ${checked.type}; a rule must give a bool` } };
  return { compiled };
}

/** Runs a compiled rule on a subject: true (passes), false (fails) or the reason it could not run. Never throws. */
export function runCel(compiled: CompiledCel, subject: PolicySubject): { value: boolean } | { error: string } {
  celEnvironment();
  budget.steps = 0;
  budget.exceeded = "";
  budget.deadline = Date.now() + celLimits.maxMillis;
  try {
    const value: unknown = compiled({
      product: subject.product.value ?? {},
      contracts: subject.contracts.map((c) => c.value ?? {}),
      previous: subject.previous
        ? {
            product: subject.previous.product?.value ?? null,
            contracts: subject.previous.contracts.map((c) => c.value),
          }
        : null,
      domain: subject.domain ?? subject.product.value?.domain ?? "",
      data: subject.data ?? null,
      lineage: subject.lineage ?? [],
    });
    if (budget.exceeded !== "") return { error: `evaluation stopped: ${budget.exceeded}` };
    if (typeof value !== "boolean") return { error: `expression gave ${typeof value}, not a bool` };
    return { value };
  } catch (e) {
    if (budget.exceeded !== "") return { error: `evaluation stopped: ${budget.exceeded}` };
    return { error: reason(e) };
  }
}
