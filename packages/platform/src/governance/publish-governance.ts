import type { PublishGovernance } from "../registry/publish-product.js";
import { GovernanceService } from "./governance-service.js";
import { publishSubject } from "./product-subject.js";

/** Governance as every publish meets it (ADR 0014): the policy gate first, the evaluation stored with the version. */
export const publishGovernance: PublishGovernance = {
  subject: publishSubject,
  gate: (q, subject) => new GovernanceService(q).gate(subject),
  record: async (tx, productId, published) => {
    await new GovernanceService(tx).evaluate(productId, "publish", new Date(), published);
  },
};
