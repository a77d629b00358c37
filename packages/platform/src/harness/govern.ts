import { type Issue, lintProduct } from "@quanta/core";
import type { ProductFile } from "../registry/publish-product.js";
import type { Database } from "../storage/database.js";
import { ProductRepository } from "../storage/repositories/product-repository.js";
import { TestRunRepository } from "../storage/repositories/test-run-repository.js";

export interface Governance {
  productId: string;
  version: string;
  evaluatedAt: string;
  /** The policy engine's verdicts; empty with `policyEngine: "unavailable"` until it is installed. */
  policyEngine: "available" | "unavailable";
  policies: { rule: string; severity: string; status: string; message: string | null }[];
  certification: { level: string | null; status: "certified" | "not-certified" | "not-evaluated"; reason: string };
  /** What the platform knows without the policy engine: lint findings and the latest test status per contract. */
  known: {
    lint: { errors: number; warnings: number; issues: Issue[] };
    contractTests: { contractId: string; status: string; finishedAt: string | null }[];
  };
}

/**
 * The govern interface. Policies and certification come from the policy engine (core/src/policy)
 * once it is part of the platform; until then the shape is the same, with what is known: the
 * product's lint findings (re-run on the published files) and its latest contract test results.
 */
export async function govern(db: Database, productId: string): Promise<Governance> {
  const products = new ProductRepository(db);
  const current = await products.current(productId);
  const files = current ? ((await products.versionFiles(productId, current.version)) as ProductFile[] | undefined) : [];
  const issues = files && files.length > 0 ? lintProduct(files).filter((i) => i.severity !== "info") : [];
  const runs = await new TestRunRepository(db).latest(productId, 50);
  const seen = new Set<string>();
  const contractTests = runs.flatMap((r) => {
    if (seen.has(r.contractId) || r.status === "running") return [];
    seen.add(r.contractId);
    return [{ contractId: r.contractId, status: r.status, finishedAt: r.finishedAt }];
  });
  return {
    productId,
    version: current?.version ?? "",
    evaluatedAt: new Date().toISOString(),
    policyEngine: "unavailable",
    policies: [],
    certification: {
      level: null,
      status: "not-evaluated",
      reason: "the policy engine is not installed on this server yet; lint findings and contract tests are below",
    },
    known: {
      lint: {
        errors: issues.filter((i) => i.severity === "error").length,
        warnings: issues.filter((i) => i.severity === "warning").length,
        issues,
      },
      contractTests,
    },
  };
}
