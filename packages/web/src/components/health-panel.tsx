import { api } from "../api/api-client.js";
import type { Governance, Observation } from "../api/types.js";
import { useApi } from "../api/use-api.js";
import { portsWithVersions, versionLine } from "../lib/data-versions.js";
import { formatBytes } from "../lib/format.js";
import { usageSummary } from "../lib/usage-summary.js";
import { RatioBar, RunHistoryChart } from "./charts.js";
import { ApiProblem, Loading } from "./states.js";
import { TableWrap } from "./table-wrap.js";
import { useFold } from "./use-fold.js";

const certTone: Record<Governance["certification"]["status"], string> = {
  certified: "good",
  "not-certified": "bad",
  "not-evaluated": "neutral",
};

/** Certification and policies (govern), then tests, service levels and usage (observe). */
export function HealthPanel({ productId }: { productId: string }) {
  const govern = useApi((signal) => api.govern(productId, signal), [productId]);
  const observe = useApi((signal) => api.observe(productId, signal), [productId]);
  return (
    <div className="health">
      <h3>Certification and policies</h3>
      {govern.status === "loading" && <Loading label="Loading governance" />}
      {govern.status === "error" && (
        <ApiProblem error={govern.error} what="certification" api={`GET /api/products/${productId}/govern`} />
      )}
      {govern.status === "ok" && <GovernView g={govern.data} />}

      <h3>Contract tests, service levels and usage</h3>
      {observe.status === "loading" && <Loading label="Loading observations" />}
      {observe.status === "error" && (
        <ApiProblem
          error={observe.error}
          what="quality and SLI history and usage"
          api={`GET /api/products/${productId}/observe`}
        />
      )}
      {observe.status === "ok" && <ObserveView o={observe.data} />}
    </div>
  );
}

function GovernView({ g }: { g: Governance }) {
  const failing = g.policies.filter((p) => p.status !== "passed" && p.status !== "pass");
  // Failing rules first, so a folded table still shows what needs attention.
  const rows = useFold([...failing, ...g.policies.filter((p) => !failing.includes(p))], 6, "policy results");
  return (
    <div>
      <p className="cert">
        <span className={`badge badge-${certTone[g.certification.status]}`}>
          {g.certification.status === "certified"
            ? `certified${g.certification.level ? `: ${g.certification.level}` : ""}`
            : g.certification.status}
        </span>{" "}
        {g.certification.reason}
      </p>
      {g.policyEngine === "unavailable" && (
        <p className="muted small">The policy engine is not available on this server.</p>
      )}
      {g.policies.length > 0 && (
        <TableWrap>
          <table>
            <thead>
              <tr>
                <th scope="col">Policy rule</th>
                <th scope="col">Severity</th>
                <th scope="col">Result</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {rows.shown.map((p, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a rule may apply more than once
                <tr key={i}>
                  <th scope="row" className="mono">
                    {p.rule}
                  </th>
                  <td>{p.severity}</td>
                  <td>
                    <span className={`badge badge-${failing.includes(p) ? "bad" : "good"}`}>{p.status}</span>
                  </td>
                  <td>{p.message ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {rows.toggle}
      <p className="muted small">
        Lint: {g.known.lint.errors} errors, {g.known.lint.warnings} warnings · evaluated{" "}
        {new Date(g.evaluatedAt).toLocaleString()}
      </p>
    </div>
  );
}

function ObserveView({ o }: { o: Observation }) {
  return (
    <div>
      <p>
        Lifecycle: <strong>{o.lifecycle.state}</strong>
        {!o.lifecycle.servesReads && <span className="text-bad"> · not serving reads</span>}
      </p>
      <RunHistoryChart runs={o.tests.history} title="Contract test runs over time" />
      {o.slis.map((s) => (
        <div key={`${s.port}${s.contractId}`} className="sli">
          <h4>
            Port <span className="mono">{s.port}</span> <span className="muted small mono">{s.contractId}</span>
          </h4>
          <RatioBar label="Quality (runs passed)" percent={s.quality.ratio} objectivePercent={null} />
          <RatioBar
            label={`Availability (${s.availability.windowDays} days)`}
            percent={s.availability.ratio}
            objectivePercent={s.availability.objective}
          />
          <p className="small">
            Freshness:{" "}
            {s.freshness.ageSeconds === null
              ? "not measured yet"
              : `newest data ${Math.round(s.freshness.ageSeconds / 3600)} h old`}
            {s.freshness.objective && ` (objective ${s.freshness.objective})`}{" "}
            {s.freshness.met === true && <span className="badge badge-good">met</span>}
            {s.freshness.met === false && <span className="badge badge-bad">missed</span>}
          </p>
        </div>
      ))}
      <DataVersions o={o} />
      {o.tests.latest.map((run) => (
        <details key={run.id} className="latest-run">
          <summary>
            Latest test of <span className="mono">{run.contractId}</span>:{" "}
            <span className={`badge badge-sev-${run.status === "passed" ? "info" : "error"}`}>{run.status}</span>{" "}
            {new Date(run.startedAt).toLocaleString()} ({run.checks.length} checks)
          </summary>
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">Check</th>
                  <th scope="col">Result</th>
                  <th scope="col">Value</th>
                  <th scope="col">Threshold</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {run.checks.map((c) => (
                  <tr key={c.checkId}>
                    <th scope="row" className="mono">
                      {c.checkId}
                    </th>
                    <td>{c.status}</td>
                    <td className="mono">{c.value === null || c.value === undefined ? "" : JSON.stringify(c.value)}</td>
                    <td className="mono">
                      {c.threshold === null || c.threshold === undefined ? "" : JSON.stringify(c.threshold)}
                    </td>
                    <td>{c.reason ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </details>
      ))}
      <h4>Usage</h4>
      <UsageView usage={o.usage} />
    </div>
  );
}

/** Each port's data on the storage Quanta owns: the version served, and the ones before it. */
function DataVersions({ o }: { o: Observation }) {
  const ports = portsWithVersions(o);
  if (ports.length === 0) return null;
  return (
    <div className="data-versions">
      <h4>Data on Quanta's storage</h4>
      {ports.map((p) => (
        <details key={p.port}>
          <summary>
            Port <span className="mono">{p.port}</span>:{" "}
            {p.current ? versionLine(p.current) : <span className="muted">no current version</span>}
          </summary>
          <ul className="small">
            {p.history.map((v) => (
              <li key={v.version}>
                <span
                  className={`badge badge-${v.state === "failed" ? "bad" : v.state === "current" ? "good" : "neutral"}`}
                >
                  {v.state}
                </span>{" "}
                {versionLine(v)}
                {v.createdBy && <span className="muted"> · by {v.createdBy}</span>}
                {v.reason && <div className="muted">{v.reason}</div>}
              </li>
            ))}
          </ul>
        </details>
      ))}
    </div>
  );
}

function UsageView({ usage }: { usage: Observation["usage"] }) {
  const summary = usageSummary(usage);
  const consumers = useFold(summary.kind === "per-consumer" ? summary.byConsumer : [], 8, "consumers");
  if (summary.kind === "unread") return <p className="muted">Nobody has read this product through the platform yet.</p>;
  return (
    <>
      <p>{summary.line}</p>
      {summary.kind === "totals" ? (
        <p className="muted small">Who read it is shown to the owner team, governance and admins only.</p>
      ) : (
        <TableWrap>
          <table>
            <thead>
              <tr>
                <th scope="col">Consumer</th>
                <th scope="col">Reads</th>
                <th scope="col">Rows</th>
                <th scope="col">Bytes</th>
              </tr>
            </thead>
            <tbody>
              {consumers.shown.map((u) => (
                <tr key={u.consumer}>
                  <th scope="row">{u.consumer}</th>
                  <td>{u.reads.toLocaleString()}</td>
                  <td>{u.rows.toLocaleString()}</td>
                  <td>{formatBytes(u.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {consumers.toggle}
    </>
  );
}
