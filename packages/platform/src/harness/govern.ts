import type { Issue } from "@quanta/core";
import { lintProduct } from "@quanta/core/lint";
import type { CertificationView } from "../governance/certification.js";
import { GovernanceService } from "../governance/governance-service.js";
import { TestRunRepository } from "../jobs/test-run-repository.js";
import { ProductRepository } from "../registry/product-repository.js";
import type { ProductFile } from "../registry/publish-folder.js";
import type { Database } from "../storage/database.js";

export interface Governance {
  productId: string;
  version: string;
  evaluatedAt: string;
  policyEngine: "available" | "unavailable";
  /** The policy set in force (Quanta's defaults + applied sets) and its mesh-wide revision. */
  policy: { name: string; version: string; revision: number } | null;
  /** The stored evaluation these results come from (history: GET /api/products/{id}/evaluations). */
  evaluation: { id: number; trigger: string; productVersion: string } | null;
  policies: { rule: string; severity: string; status: string; message: string | null; levels?: string[] }[];
  /** Computed on read from the latest evaluation and the contract tests now: it lapses by itself. */
  certification: Omit<CertificationView, "status" | "level"> & {
    level: CertificationView["level"] | null;
    status: "certified" | "not-certified" | "not-evaluated";
  };
  /** What the platform knows without the policy engine: lint findings and the latest test status per contract. */
  known: {
    lint: { errors: number; warnings: number; issues: Issue[] };
    contractTests: { contractId: string; status: string; finishedAt: string | null }[];
  };
}

/**
 * The govern interface: the policies in force evaluated on the product (governance/), the
 * certification they and the latest contract tests give now, the product's lint findings (re-run
 * on the published files) and its latest contract test results.
 */
export async function govern(db: Database, productId: string): Promise<Governance> {
  const products = new ProductRepository(db);
  const current = await products.current(productId);
  const files = current ? ((await products.versionFiles(productId, current.version)) as ProductFile[] | undefined) : [];
  const issues = files && files.length > 0 ? lintProduct(files).filter((i) => i.severity !== "info") : [];
  const runs = await new TestRunRepository(db).latest(productId, 50);
  const seen = new Set<string>();
  const contractTests = runs.flatMap((r) => {
    if (seen.has(r.contractId) || r.status === "running" || r.status === "abandoned") return [];
    seen.add(r.contractId);
    return [{ contractId: r.contractId, status: r.status, finishedAt: r.finishedAt }];
  });
  const view = await new GovernanceService(db).govern(productId);
  return {
    productId,
    version: current?.version ?? "",
    evaluatedAt: view?.evaluatedAt ?? new Date().toISOString(),
    policyEngine: view ? "available" : "unavailable",
    policy: view?.policy ?? null,
    evaluation: view?.evaluation ?? null,
    policies: view?.policies ?? [],
    certification: view?.certification ?? {
      level: null,
      status: "not-evaluated",
      reason: "the product's published files could not be read for evaluation",
      reasons: [],
      validUntil: null,
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
