import { useEffect, useRef, useState } from "react";
import { api } from "../api/api-client.js";
import type { Governance, Observation } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { formatBytes, formatWhen } from "../lib/format.js";
import { certificationLabel, failingChecks, failingPolicies } from "../lib/owner-facts.js";
import { newestRunId, type TestsProgress, testsProgress } from "../lib/tests-progress.js";
import { usageSummary } from "../lib/usage-summary.js";
import { StatusBadge } from "./badges.js";
import { ApiProblem, Empty, Loading } from "./states.js";
import { TableWrap } from "./table-wrap.js";

const json = (v: unknown) => (v === null || v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

/** How often the view asks for test results after a start or resume, and for how long at most. */
const pollMs = 1500;
/** No run at all by then: the tests are queued behind others, or there is nothing it can test. */
const untilFirstRunMs = 30_000;
const untilEndMs = 120_000;

/** The tests a start or resume set off, as the view waits for them. */
interface TestWait {
  /** The newest run before the action: only newer ones count. */
  since: number;
  at: number;
  /** Set when the view stopped waiting without seeing them end. */
  gaveUp?: boolean;
}

/**
 * What needs the owner's attention about a product's data: who reads it, failing checks, policies.
 * `testsStarted` changes when the owner starts or resumes the product: the tests that sets off run
 * in the background, so the results are asked for again until they have ended.
 */
export function OwnerHealth({ productId, testsStarted = 0 }: { productId: string; testsStarted?: number }) {
  const [poll, setPoll] = useState(0);
  const observe = useApi((signal) => api.observe(productId, signal), [productId, testsStarted, poll], {
    keepData: true,
  });
  // Bumped when the tests set off have ended: the certification is evaluated again after a run.
  const [settled, setSettled] = useState(0);
  const govern = useApi((signal) => api.govern(productId, signal), [productId, settled]);
  const last = observe.status === "ok" ? observe.data : undefined;
  const [wait, setWait] = useState<TestWait | undefined>();
  const lastRef = useRef(last);
  lastRef.current = last;
  useEffect(() => {
    if (testsStarted > 0) setWait({ since: newestRunId(lastRef.current), at: Date.now() });
  }, [testsStarted]);
  const progress: TestsProgress | undefined =
    wait && !wait.gaveUp ? (last ? testsProgress(last, wait.since) : "queued") : undefined;
  useEffect(() => {
    // Each answer (a new `observe`) decides whether to ask again.
    if (!wait || wait.gaveUp || progress === undefined || observe.status === "loading") return;
    if (progress === "ended") {
      setWait(undefined);
      setSettled((n) => n + 1);
      return;
    }
    const waited = Date.now() - wait.at;
    const noRunYet = newestRunId(last) <= wait.since;
    if (waited > untilEndMs || (noRunYet && waited > untilFirstRunMs)) {
      setWait({ ...wait, gaveUp: true });
      return;
    }
    const t = setTimeout(() => setPoll((p) => p + 1), pollMs);
    return () => clearTimeout(t);
  }, [wait, progress, observe, last]);
  const testing = progress === "queued" || progress === "running" ? progress : wait?.gaveUp ? "gave-up" : undefined;
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
        {observe.status === "ok" && <Checks o={observe.data} testing={testing} />}
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
  const summary = usageSummary(o.usage);
  if (summary.kind === "unread") return <p className="muted">Nobody has read this product through the platform yet.</p>;
  if (summary.kind === "totals") {
    return <p>{summary.line} in all; who read is shown to the owner team, governance and admins only.</p>;
  }
  return (
    <>
      <p className="small">{summary.line} in all</p>
      <TableWrap>
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
            {summary.byConsumer.map((u) => (
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
      </TableWrap>
    </>
  );
}

const testingNote: Record<"queued" | "running" | "gave-up", string> = {
  queued: "The contract tests are queued; the results show here when they have run…",
  running: "Testing the contracts now; the results show here when the run ends…",
  "gave-up":
    "No new test run has ended yet: the tests may still be queued behind other products' tests, or the contracts name no server the platform can test. Reload later to see them.",
};

function Checks({ o, testing }: { o: Observation; testing: keyof typeof testingNote | undefined }) {
  const runs = o.tests.latest;
  const underWay =
    testing === undefined ? null : testing === "gave-up" ? (
      <p className="muted small">{testingNote[testing]}</p>
    ) : (
      <p className="state state-loading" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" />
        {testingNote[testing]}
      </p>
    );
  if (runs.length === 0) {
    if (testing === "queued" || testing === "running") return underWay;
    return (
      <>
        {underWay}
        <Empty title="No contract test has run yet">
          Tests run on each contract's schedule while the product is active, and right away on start or resume.
        </Empty>
      </>
    );
  }
  const failing = failingChecks(o);
  const checks = runs.reduce((n, r) => n + r.checks.length, 0);
  // A run that did not pass but names no failing check (it could not read the data, say).
  const badRuns = runs.filter(
    (r) => r.status !== "passed" && r.status !== "warning" && !failing.some((f) => f.contractId === r.contractId),
  );
  if (badRuns.length > 0 && failing.length === 0) {
    return (
      <>
        {underWay}
        <ul className="plain finding-list">
          {badRuns.map((r) => (
            <li key={r.id} className="finding">
              <p>
                <StatusBadge status={r.status} /> the latest test of <strong className="mono">{r.contractId}</strong>{" "}
                {r.status} with {r.checks.length === 0 ? "no checks run" : "no failing check"}
              </p>
              <p className="muted small">tested {formatWhen(r.startedAt)}</p>
            </li>
          ))}
        </ul>
      </>
    );
  }
  if (failing.length === 0) {
    return (
      <>
        {underWay}
        <p>
          <StatusBadge status="passed" /> All {checks} checks of the latest {runs.length === 1 ? "run" : "runs"} (
          {runs.map((r) => r.contractId).join(", ")}) passed.
        </p>
      </>
    );
  }
  return (
    <>
      {underWay}
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
