import type { z } from "@hono/zod-openapi";
import { lintProduct } from "@quanta/core/lint";
import { GovernanceService } from "../governance/governance-service.js";
import { TestRunRepository } from "../jobs/test-run-repository.js";
import { ProductRepository } from "../registry/product-repository.js";
import type { ProductFile } from "../registry/publish-folder.js";
import type { Database } from "../storage/database.js";
import type { GovernanceSchema } from "./governance-schema.js";

export type Governance = z.infer<typeof GovernanceSchema>;

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
        // Copied: the schema types issues as records, which an interface (core's Issue) is not.
        issues: issues.map((i) => ({ ...i })),
      },
      contractTests,
    },
  };
}
