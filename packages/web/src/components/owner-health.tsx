import { api } from "../api/api-client.js";
import type { Governance, Observation } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { formatBytes, formatWhen } from "../lib/format.js";
import { certificationLabel, failingChecks, failingPolicies } from "../lib/owner-facts.js";
import { StatusBadge } from "./badges.js";
import { ApiProblem, Empty, Loading } from "./states.js";

const json = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

/** What needs the owner's attention about a product's data: who reads it, failing checks, policies. */
export function OwnerHealth({ productId }: { productId: string }) {
  const observe = useApi((signal) => api.observe(productId, signal), [productId]);
  const govern = useApi((signal) => api.govern(productId, signal), [productId]);
  return (
    <>
      <section aria-labelledby={`usage-${productId}`} className="owner-section">
        <h3 id={`usage-${productId}`}>Usage per consumer</h3>
        {observe.status === "loading" && <Loading label="Loading usage" />}
        {observe.status === "error" && (
          <ApiProblem error={observe.error} what="usage" api={`GET /api/products/${productId}/observe`} />
        )}
        {observe.status === "ok" && <Usage o={observe.data} />}
      </section>
      <section aria-labelledby={`checks-${productId}`} className="owner-section">
        <h3 id={`checks-${productId}`}>Failing checks</h3>
        {observe.status === "loading" && <Loading label="Loading test results" />}
        {observe.status === "error" && (
          <ApiProblem error={observe.error} what="the test results" api={`GET /api/products/${productId}/observe`} />
        )}
        {observe.status === "ok" && <Checks o={observe.data} />}
      </section>
      <section aria-labelledby={`policies-${productId}`} className="owner-section">
        <h3 id={`policies-${productId}`}>Certification and policy violations</h3>
        {govern.status === "loading" && <Loading label="Evaluating the policies" />}
        {govern.status === "error" && (
          <ApiProblem error={govern.error} what="certification" api={`GET /api/products/${productId}/govern`} />
        )}
        {govern.status === "ok" && <Policies g={govern.data} />}
      </section>
    </>
  );
}

function Usage({ o }: { o: Observation }) {
  const t = o.usage.total;
  if (o.usage.byConsumer.length === 0) {
    return t.reads > 0 ? (
      <p>{t.reads} reads in all; who read is shown to the owner team, governance and admins only.</p>
    ) : (
      <p className="muted">Nobody has read this product through the platform yet.</p>
    );
  }
  return (
    <>
      <p className="small">
        {t.reads.toLocaleString()} reads · {t.rows.toLocaleString()} rows · {formatBytes(t.bytes)} in all
      </p>
      <div className="table-wrap">
        <table className="stack-table">
          <thead>
            <tr>
              <th scope="col">Consumer</th>
              <th scope="col" className="num">
                Reads
              </th>
              <th scope="col" className="num">
                Rows
              </th>
              <th scope="col" className="num">
                Data
              </th>
            </tr>
          </thead>
          <tbody>
            {o.usage.byConsumer.map((u) => (
              <tr key={u.consumer}>
                <th scope="row" data-label="Consumer">
                  {u.consumer}
                </th>
                <td className="num" data-label="Reads">
                  {u.reads.toLocaleString()}
                </td>
                <td className="num" data-label="Rows">
                  {u.rows.toLocaleString()}
                </td>
                <td className="num" data-label="Data">
                  {formatBytes(u.bytes)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Checks({ o }: { o: Observation }) {
  const runs = o.tests.latest;
  if (runs.length === 0) {
    return (
      <Empty title="No contract test has run yet">
        Tests run on each contract's schedule while the product is active, and right away on start or resume.
      </Empty>
    );
  }
  const failing = failingChecks(o);
  const checks = runs.reduce((n, r) => n + r.checks.length, 0);
  if (failing.length === 0) {
    return (
      <p>
        <StatusBadge status="passed" /> All {checks} checks of the latest {runs.length === 1 ? "run" : "runs"} (
        {runs.map((r) => r.contractId).join(", ")}) passed.
      </p>
    );
  }
  return (
    <>
      <p className="small">
        {failing.length} of {checks} checks in the latest test of {runs.length} contract{runs.length === 1 ? "" : "s"}{" "}
        did not pass.
      </p>
      <ul className="plain finding-list">
        {failing.map((f) => (
          <li key={`${f.contractId}/${f.checkId}`} className="finding">
            <p>
              <StatusBadge status={f.status} /> <strong className="mono">{f.checkId}</strong>
            </p>
            <p className="small">
              {f.reason ?? (f.status === f.runStatus ? `the run ${f.runStatus}` : "no reason given")}
              {(f.value !== null || f.threshold !== null) && (
                <span className="muted">
                  {" "}
                  (value <span className="mono">{json(f.value)}</span>, threshold{" "}
                  <span className="mono">{json(f.threshold)}</span>)
                </span>
              )}
            </p>
            <p className="muted small">
              contract <span className="mono">{f.contractId}</span>
              {f.port && (
                <>
                  {" "}
                  · port <span className="mono">{f.port}</span>
                </>
              )}{" "}
              · tested {formatWhen(f.startedAt)}
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}

function Policies({ g }: { g: Governance }) {
  const failing = failingPolicies(g);
  const c = g.certification;
  return (
    <>
      <p className="cert">
        <StatusBadge
          status={c.status}
          label={c.status === "certified" ? `certified: ${certificationLabel(c)}` : c.status}
        />{" "}
        {c.reason}
        {c.validUntil && <span className="muted small"> · valid until {formatWhen(c.validUntil, true)}</span>}
      </p>
      {g.policyEngine === "unavailable" && (
        <p className="muted small">The policy engine is not available on this server.</p>
      )}
      {failing.length === 0 ? (
        g.policies.length > 0 && <p className="muted">All {g.policies.length} policy rules pass.</p>
      ) : (
        <ul className="plain finding-list">
          {failing.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a rule may fail more than once
            <li key={i} className="finding policy-violation">
              <p>
                <StatusBadge status={p.status} /> <strong className="mono">{p.rule}</strong>{" "}
                <span className="muted small">{p.severity}</span>
              </p>
              {p.message && <p className="small">{p.message}</p>}
            </li>
          ))}
        </ul>
      )}
      {g.known.lint.errors + g.known.lint.warnings > 0 && (
        <p className="muted small">
          Lint of the published files: {g.known.lint.errors} errors, {g.known.lint.warnings} warnings (
          <code>quanta lint</code> shows where).
        </p>
      )}
    </>
  );
}
