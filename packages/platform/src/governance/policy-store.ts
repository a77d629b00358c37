import { createHash } from "node:crypto";
import type { z } from "@hono/zod-openapi";
import { hasErrors, type Issue, SourceDocument } from "@quanta/core";
import { composePolicySets, defaultPolicySet, type PolicySet, parsePolicySet } from "@quanta/core/policy";
import { publishEvent } from "../events/publish-event.js";
import { RefusedError } from "../refused-error.js";
import type { Queryable } from "../storage/database.js";
import type { PolicyVersionSchema } from "./policy-schema.js";

export type StoredPolicyVersion = z.infer<typeof PolicyVersionSchema>;

export interface ActivePolicies {
  /** Quanta's defaults composed with the latest version of every applied set. */
  policySet: PolicySet;
  /** The newest policy revision in force (0: Quanta's defaults only). */
  revision: number;
  sets: StoredPolicyVersion[];
}

const columns = `id AS revision, name, version, rules, sha256, applied_by AS "appliedBy", applied_at AS "appliedAt"`;
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function refused(issues: Issue[], what: string): never {
  const errors = issues.filter((i) => i.severity === "error");
  throw new RefusedError(
    `${what}: ${errors.length} error${errors.length === 1 ? "" : "s"} (${errors[0]?.message ?? "invalid"})`,
    issues,
  );
}

/**
 * The policies in force on this platform, versioned: every apply stores a new immutable version of
 * the set named in the file. The active set is Quanta's defaults plus the latest version of each
 * applied set, composed by core, which refuses a domain rule that loosens a blocking global rule
 * (and CEL that does not compile, unknown fields...): such an apply stores nothing.
 */
export class PolicyStore {
  constructor(private readonly q: Queryable) {}

  async versions(name?: string): Promise<StoredPolicyVersion[]> {
    const { rows } = await this.q.query<StoredPolicyVersion>(
      `SELECT ${columns} FROM policy_versions WHERE ($1::text IS NULL OR name = $1) ORDER BY id DESC LIMIT 500`,
      [name ?? null],
    );
    return rows;
  }

  async source(revision: number): Promise<{ name: string; version: string; source: string } | undefined> {
    const { rows } = await this.q.query<{ name: string; version: string; source: string }>(
      "SELECT name, version, source FROM policy_versions WHERE id = $1",
      [revision],
    );
    return rows[0];
  }

  /** The latest version of each applied set, oldest name first. */
  private async latest(): Promise<(StoredPolicyVersion & { source: string })[]> {
    const { rows } = await this.q.query<StoredPolicyVersion & { source: string }>(
      `SELECT DISTINCT ON (name) ${columns}, source FROM policy_versions ORDER BY name, id DESC`,
    );
    return rows;
  }

  private static parse(source: string, file: string): PolicySet {
    const parsed = parsePolicySet(SourceDocument.parse(source, file));
    if (!parsed.policySet || hasErrors(parsed.issues)) refused(parsed.issues, `${file} is not a valid policy file`);
    return parsed.policySet;
  }

  private static compose(sets: PolicySet[]): PolicySet {
    const composed = composePolicySets([defaultPolicySet(), ...sets]);
    if (hasErrors(composed.issues)) refused(composed.issues, "the policies cannot be composed");
    return composed.policySet;
  }

  async active(): Promise<ActivePolicies> {
    const latest = await this.latest();
    const sets = latest.map((v) => PolicyStore.parse(v.source, `policy:${v.name}@${v.version}`));
    return {
      policySet: PolicyStore.compose(sets),
      revision: Math.max(0, ...latest.map((v) => Number(v.revision))),
      sets: latest.map(({ source: _s, ...v }) => v),
    };
  }

  /** Parses a policy file without storing it (authorization needs its scopes first). */
  static check(source: string, file: string): PolicySet {
    return PolicyStore.parse(source, file);
  }

  /**
   * Stores `source` as the next version of its set, when it parses and composes with the others.
   * Re-applying identical text is a no-op (`created: false`); a set named like Quanta's defaults
   * is refused (the defaults are tightened by domain rules, not replaced).
   */
  async apply(
    source: string,
    file: string,
    actor: string | undefined,
  ): Promise<{ version: StoredPolicyVersion; created: boolean; policySet: PolicySet }> {
    const set = PolicyStore.parse(source, file);
    if (set.name === defaultPolicySet().name) {
      refused(
        [
          {
            code: "policy-name-reserved",
            severity: "error",
            message: `"${set.name}" is the name of Quanta's default policy set; give your set its own name`,
            file,
            line: 1,
            column: 1,
            path: "name",
          },
        ],
        `${file} cannot be applied`,
      );
    }
    const latest = await this.latest();
    const same = latest.find((v) => v.name === set.name);
    if (same && same.sha256 === sha256(source)) {
      const { source: _s, ...version } = same;
      return { version, created: false, policySet: set };
    }
    if (same && same.version === set.version) {
      refused(
        [
          {
            code: "policy-version-exists",
            severity: "error",
            message: `${set.name} version ${set.version} is already applied with other content; bump its version`,
            file,
            line: 1,
            column: 1,
            path: "version",
          },
        ],
        `${file} cannot be applied`,
      );
    }
    const others = latest
      .filter((v) => v.name !== set.name)
      .map((v) => PolicyStore.parse(v.source, `policy:${v.name}@${v.version}`));
    const policySet = PolicyStore.compose([...others, set]);
    const { rows } = await this.q.query<StoredPolicyVersion>(
      `INSERT INTO policy_versions (name, version, source, sha256, rules, applied_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${columns}`,
      [set.name, set.version, source, sha256(source), set.rules.length, actor ?? null],
    );
    const version = rows[0] as StoredPolicyVersion;
    await publishEvent(
      this.q,
      {
        type: "policy.applied",
        subject: set.name,
        actor,
        payload: { version: set.version, revision: version.revision, rules: set.rules.length },
      },
      {},
    );
    return { version, created: true, policySet };
  }
}
