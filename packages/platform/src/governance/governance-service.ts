import type { Issue } from "@quanta/core";
import { evaluatePolicies, type PolicyEvaluation, type PolicySubject, type RuleResult } from "@quanta/core/policy";
import { publishEvent } from "../events/publish-event.js";
import { RefusedError } from "../refused-error.js";
import { ProductRepository } from "../registry/product-repository.js";
import type { Queryable } from "../storage/database.js";
import { type CertificationView, certificationOf, testWindow } from "./certification.js";
import { PolicyStore } from "./policy-store.js";
import { publishedSubject } from "./product-subject.js";

export interface StoredEvaluation {
  id: number;
  productId: string;
  productVersion: string;
  policyRevision: number;
  policy: string;
  policyVersion: string;
  trigger: string;
  blocking: boolean;
  results: RuleResult[];
  level: string;
  reasons: string[];
  validUntil: string | null;
  evaluatedAt: string;
}

const evaluationColumns = `id, product_id AS "productId", product_version AS "productVersion",
  policy_revision AS "policyRevision", policy, policy_version AS "policyVersion", trigger, blocking, results,
  level, reasons, valid_until AS "validUntil", evaluated_at AS "evaluatedAt"`;

/** What the govern interface answers: the latest evaluation's verdicts and a certification computed now. */
export interface GovernView {
  productId: string;
  version: string;
  evaluatedAt: string;
  policyEngine: "available";
  policy: { name: string; version: string; revision: number };
  evaluation: { id: number; trigger: string; productVersion: string };
  policies: { rule: string; severity: string; status: string; message: string | null; levels: string[] }[];
  certification: CertificationView;
}

/** Findings of failed blocking rules as issues (file:line:column in the published files). */
export function blockingIssues(evaluation: PolicyEvaluation): Issue[] {
  return evaluation.results
    .filter((r) => !r.passed)
    .flatMap((r) =>
      r.findings.map((f) => ({
        code: `policy-${r.ruleId}`,
        severity: r.severity === "blocking" ? ("error" as const) : ("warning" as const),
        message: `${r.ruleId} (${r.severity}): ${f.message}`,
        file: f.file,
        line: f.line,
        column: f.column,
        path: f.path,
      })),
    );
}

/**
 * Governance in the platform: evaluates the policies in force on a product, stores every evaluation
 * with the policy revision it used (history), and derives certification on read from the latest
 * evaluation and the contract tests as they are now, so it lapses by itself.
 */
export class GovernanceService {
  constructor(private readonly q: Queryable) {}

  /**
   * The pre-publish gate: evaluates what is about to be published (`publishSubject`: the folder,
   * and the current published version as the previous one) against the policies in force.
   * Blocking failures refuse the publish with every finding; advisory ones come back as warnings.
   */
  async gate(subject: PolicySubject): Promise<Issue[]> {
    const { policySet } = await new PolicyStore(this.q).active();
    const evaluation = evaluatePolicies(policySet, subject);
    // Blocking findings first: they are why a publish is refused.
    const found = blockingIssues(evaluation);
    const issues = [...found.filter((i) => i.severity === "error"), ...found.filter((i) => i.severity !== "error")];
    if (evaluation.blocking) {
      const failed = evaluation.results.filter((r) => r.severity === "blocking" && !r.passed).map((r) => r.ruleId);
      throw new RefusedError(
        `refused by policy ${evaluation.policy} ${evaluation.policyVersion}: blocking rule${failed.length === 1 ? "" : "s"} ${failed.join(", ")} failed`,
        issues,
      );
    }
    return issues;
  }

  /**
   * Evaluates the published product now and stores the evaluation (trigger: publish, test-run,
   * policy...). A publish passes what it has just stored (`published`), so nothing is read back.
   */
  async evaluate(
    productId: string,
    trigger: string,
    now = new Date(),
    published?: { subject: PolicySubject; version: string },
  ): Promise<StoredEvaluation | undefined> {
    const found = published ?? (await publishedSubject(this.q, productId));
    if (!found) return undefined;
    const active = await new PolicyStore(this.q).active();
    const subject: PolicySubject = { ...found.subject, now };
    const evaluation = evaluatePolicies(active.policySet, subject);
    const window = await testWindow(this.q, productId, now);
    const cert = certificationOf(evaluation.results, window);
    const { rows } = await this.q.query<StoredEvaluation>(
      `INSERT INTO policy_evaluations (product_id, product_version, policy_revision, policy, policy_version, trigger,
         blocking, results, level, reasons, valid_until)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${evaluationColumns}`,
      [
        productId,
        found.version,
        active.revision,
        evaluation.policy,
        evaluation.policyVersion,
        trigger,
        evaluation.blocking,
        JSON.stringify(evaluation.results),
        cert.level,
        JSON.stringify(cert.reasons),
        cert.validUntil,
      ],
    );
    const stored = rows[0] as StoredEvaluation;
    const previous = await this.history(productId, 2);
    const before = previous.find((e) => e.id !== stored.id);
    if (before && before.level !== stored.level) {
      await publishEvent(
        this.q,
        {
          type: "product.certification.changed",
          subject: productId,
          payload: { from: before.level, to: stored.level, reasons: cert.reasons, trigger },
        },
        { owners: [productId], consumersOf: [productId] },
      );
    }
    return stored;
  }

  /** Every product, after the policies changed. */
  async evaluateAll(trigger: string): Promise<number> {
    const { rows } = await this.q.query<{ id: string }>("SELECT id FROM data_products ORDER BY id");
    for (const r of rows) await this.evaluate(r.id, trigger);
    return rows.length;
  }

  async history(productId: string, limit = 50): Promise<StoredEvaluation[]> {
    const { rows } = await this.q.query<StoredEvaluation>(
      `SELECT ${evaluationColumns} FROM policy_evaluations WHERE product_id = $1 ORDER BY id DESC LIMIT $2`,
      [productId, limit],
    );
    return rows;
  }

  /**
   * The govern interface: the latest evaluation when it judged the current version under the
   * policies in force, else a fresh one (stored too); certification from it and the tests now.
   */
  async govern(productId: string, now = new Date()): Promise<GovernView | undefined> {
    const current = await new ProductRepository(this.q).current(productId);
    if (!current) return undefined;
    const active = await new PolicyStore(this.q).active();
    let latest = (await this.history(productId, 1))[0];
    if (!latest || latest.productVersion !== current.version || Number(latest.policyRevision) !== active.revision) {
      latest = await this.evaluate(productId, "read", now);
    }
    if (!latest) return undefined;
    const certification = certificationOf(latest.results, await testWindow(this.q, productId, now));
    return {
      productId,
      version: current.version,
      evaluatedAt: latest.evaluatedAt,
      policyEngine: "available",
      policy: { name: latest.policy, version: latest.policyVersion, revision: Number(latest.policyRevision) },
      evaluation: { id: latest.id, trigger: latest.trigger, productVersion: latest.productVersion },
      policies: latest.results.map((r) => ({
        rule: r.ruleId,
        severity: r.severity,
        status: r.passed ? "passed" : "failed",
        message: r.passed
          ? null
          : r.findings.map((f) => `${f.message} (${f.file}${f.line > 0 ? `:${f.line}:${f.column}` : ""})`).join("; "),
        levels: r.levels,
      })),
      certification,
    };
  }
}
